package io.streamwarden.sqlrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A Flink SQL script split into statements, each classified by what {@link SqlRunner} does with
 * it. Pure Java (no Flink classes), so the splitting rules can be exercised without a cluster.
 *
 * <p>Splitting rules: a statement ends at a {@code ;} that is outside
 *
 * <ul>
 *   <li>a string literal {@code '...'} ({@code ''} is an escaped quote; this also covers {@code
 *       X'..'}, {@code U&'..'} and {@code E'..'}-style prefixes, whose quoted part is the same),
 *   <li>a quoted identifier {@code `...`} or {@code "..."} (a doubled quote escapes it),
 *   <li>a line comment {@code -- ...} (to the end of the line),
 *   <li>a block comment {@code /* ... *}{@code /} (not nested, as in Flink's parser; optimizer
 *       hints {@code /*+ ... *}{@code /} are block comments too and are kept in the statement).
 * </ul>
 *
 * <p>Empty statements ({@code ;;}, or a part holding only whitespace and comments) are dropped, and
 * the last statement does not need a closing {@code ;}. Comments before a statement's first token
 * are dropped; comments inside it are passed on to Flink unchanged. Backslash escapes (Hive
 * dialect) are not understood: {@code \'} ends a literal like in Flink's default dialect.
 */
final class SqlScript {
    private SqlScript() {}

    /** What the runner does with a statement. */
    enum Kind {
        /** {@code SET 'key' = 'value'}: sets a table/job configuration option. */
        SET,
        /** {@code RESET 'key'} or {@code RESET}: drops option(s) set by SET. */
        RESET,
        /** INSERT, or CREATE/REPLACE TABLE ... AS SELECT: added to the one statement set. */
        JOB,
        /** {@code BEGIN STATEMENT SET} / {@code EXECUTE STATEMENT SET BEGIN}: opens a block. */
        BEGIN_SET,
        /** {@code END}: closes a statement-set block. */
        END_SET,
        /** SELECT / WITH / VALUES / EXECUTE ...: rejected, would start a job of its own. */
        REJECTED,
        /** Everything else (CREATE/DROP/ALTER/USE/SHOW/EXPLAIN/...): run with executeSql. */
        OTHER
    }

    /** Thrown for a script the runner cannot run; the message is meant for a person. */
    static final class ScriptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScriptException(String message) {
            super(message);
        }

        ScriptException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One statement of the script. */
    static final class Statement {
        /** 1-based position among the script's (non-empty) statements. */
        final int number;
        /** 1-based line of the script on which the statement's first token stands. */
        final int line;
        /** The statement as written, from its first token, without the closing ';'. */
        final String text;
        /** The same with comments replaced by a space: what classification looks at. */
        final String skeleton;

        Statement(int number, int line, String text, String skeleton) {
            this.number = number;
            this.line = line;
            this.text = text;
            this.skeleton = skeleton;
        }

        /** The statement's first line, shortened to at most 100 characters. */
        String firstLine() {
            return SqlScript.firstLine(text);
        }

        /** "statement 2 (line 4: CREATE TABLE snk ...)": how messages name a statement. */
        String describe() {
            return "statement " + number + " (line " + line + ": " + firstLine() + ")";
        }

        /** The statement's kind, from its leading keywords (outside literals and comments). */
        Kind kind() {
            List<String> words = topLevelWords(skeleton);
            String first = words.isEmpty() ? "" : words.get(0);
            String trimmed = skeleton.strip();
            switch (first) {
                case "SET":
                    return Kind.SET;
                case "RESET":
                    return Kind.RESET;
                case "INSERT":
                    return Kind.JOB;
                case "END":
                    return words.size() == 1 ? Kind.END_SET : Kind.OTHER;
                case "BEGIN":
                    return words.equals(List.of("BEGIN", "STATEMENT", "SET"))
                            ? Kind.BEGIN_SET
                            : Kind.OTHER;
                case "EXECUTE":
                    return words.size() >= 4
                                    && words.subList(0, 4)
                                            .equals(List.of("EXECUTE", "STATEMENT", "SET", "BEGIN"))
                            ? Kind.BEGIN_SET
                            : Kind.REJECTED;
                case "SELECT":
                case "WITH":
                case "VALUES":
                case "TABLE": // "TABLE t" is a query too
                    return Kind.REJECTED;
                case "CREATE":
                case "REPLACE":
                    return isTableAsSelect(words) ? Kind.JOB : Kind.OTHER;
                default:
                    return trimmed.startsWith("(") ? Kind.REJECTED : Kind.OTHER;
            }
        }
    }

    /** A parsed {@code SET key = value} (value null for RESET). */
    static final class Setting {
        final String key;
        final String value;

        Setting(String key, String value) {
            this.key = key;
            this.value = value;
        }
    }

    // ------------------------------------------------------------------------------------------
    // splitting
    // ------------------------------------------------------------------------------------------

    /** Splits {@code script} into its non-empty statements (see the class comment for the rules). */
    static List<Statement> split(String script) {
        List<Statement> out = new ArrayList<>();
        StringBuilder text = new StringBuilder(); // current statement from its first token
        StringBuilder skel = new StringBuilder(); // the same with comments blanked
        int startLine = 0; // line of the current statement's first token; 0 = none seen yet
        int line = 1;
        int n = script.length();
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') { // line comment: up to (not including) the newline
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                if (startLine > 0) {
                    text.append(script, i, end);
                }
                skel.append(' ');
                i = end;
            } else if (c == '/' && next == '*') { // block comment
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new ScriptException(
                            unterminated("/* comment", line, out.size() + 1, startLine, text));
                }
                end += 2;
                if (startLine > 0) {
                    text.append(script, i, end);
                }
                skel.append(' ');
                line += countNewlines(script, i, end);
                i = end;
            } else if (c == '\'' || c == '"' || c == '`') { // literal or quoted identifier
                int end = endOfQuoted(script, i);
                if (end < 0) {
                    String what = c == '\'' ? "string literal" : "quoted identifier " + c + "...";
                    if (startLine == 0) {
                        startLine = line;
                    }
                    text.append(script, i, Math.min(n, i + 40));
                    throw new ScriptException(unterminated(what, line, out.size() + 1, startLine, text));
                }
                if (startLine == 0) {
                    startLine = line;
                }
                text.append(script, i, end);
                skel.append(script, i, end);
                line += countNewlines(script, i, end);
                i = end;
            } else if (c == ';') {
                if (startLine > 0) {
                    out.add(new Statement(out.size() + 1, startLine, text.toString().strip(), skel.toString()));
                }
                text.setLength(0);
                skel.setLength(0);
                startLine = 0;
                i++;
            } else {
                if (c == '\n') {
                    line++;
                }
                if (startLine == 0 && !Character.isWhitespace(c)) {
                    startLine = line;
                }
                if (startLine > 0) {
                    text.append(c);
                    skel.append(c);
                }
                i++;
            }
        }
        if (startLine > 0) { // last statement without a closing ';'
            out.add(new Statement(out.size() + 1, startLine, text.toString().strip(), skel.toString()));
        }
        return out;
    }

    /**
     * For {@code EXECUTE STATEMENT SET BEGIN INSERT ...}: the statement after BEGIN as a statement
     * with the same number and line, or null when nothing follows BEGIN.
     */
    static Statement innerOfExecuteStatementSet(Statement st) {
        String rest = afterExecuteStatementSetBegin(st);
        List<Statement> inner = split(rest);
        if (inner.isEmpty()) {
            return null;
        }
        Statement only = inner.get(0);
        int offset = st.text.indexOf(only.text);
        int line = st.line + (offset < 0 ? 0 : countNewlines(st.text, 0, offset));
        return new Statement(st.number, line, only.text, only.skeleton);
    }

    /** Index just past the quoted part starting at {@code start}, or -1 if it is not closed. */
    private static int endOfQuoted(String s, int start) {
        char quote = s.charAt(start);
        int j = start + 1;
        while (j < s.length()) {
            if (s.charAt(j) == quote) {
                if (j + 1 < s.length() && s.charAt(j + 1) == quote) {
                    j += 2; // doubled quote: an escaped quote character
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return -1;
    }

    private static String unterminated(String what, int line, int number, int startLine, CharSequence soFar) {
        String head = soFar.toString().strip();
        return "statement " + number
                + (head.isEmpty() ? "" : " (line " + startLine + ": " + firstLine(head) + ")")
                + ": unterminated " + what + " starting at line " + line
                + " (it runs to the end of the script)";
    }

    private static int countNewlines(String s, int from, int to) {
        int count = 0;
        for (int k = from; k < to; k++) {
            if (s.charAt(k) == '\n') {
                count++;
            }
        }
        return count;
    }

    /**
     * Decides which option keys hold secrets; {@link SqlRunner} installs Flink's own rule
     * (GlobalConfiguration.isSensitive). Values of such keys never appear in messages or logs.
     */
    static volatile Predicate<String> sensitiveKey =
            key -> key.toLowerCase(Locale.ROOT).matches(".*(password|secret|token|key).*");

    private static final Pattern KEY_VALUE = Pattern.compile("'((?:[^']|'')*)'(\\s*=\\s*)'((?:[^']|'')*)'");

    /**
     * The first line of {@code text}, shortened to at most 100 characters, with the values of
     * {@code 'key' = 'value'} pairs masked when the key is sensitive (SET and WITH options).
     */
    static String firstLine(String text) {
        String first = text.strip();
        int nl = first.indexOf('\n');
        boolean more = nl >= 0;
        if (more) {
            first = first.substring(0, nl).strip();
        }
        Matcher m = KEY_VALUE.matcher(first);
        StringBuilder masked = new StringBuilder();
        while (m.find()) {
            String key = m.group(1).replace("''", "'");
            String replacement = sensitiveKey.test(key) ? "'" + m.group(1) + "'" + m.group(2) + "'******'" : m.group();
            m.appendReplacement(masked, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(masked);
        first = masked.toString() + (more ? " ..." : "");
        return first.length() > 100 ? first.substring(0, 97) + "..." : first;
    }

    // ------------------------------------------------------------------------------------------
    // classification helpers
    // ------------------------------------------------------------------------------------------

    /**
     * The upper-cased words of {@code skeleton} that are outside parentheses and quotes, e.g.
     * {@code CREATE TABLE T WITH} for {@code CREATE TABLE t (a INT) WITH ('k'='v')}.
     */
    static List<String> topLevelWords(String skeleton) {
        List<String> words = new ArrayList<>();
        int depth = 0;
        int i = 0;
        while (i < skeleton.length()) {
            char c = skeleton.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(skeleton, i);
                i = end < 0 ? skeleton.length() : end;
            } else if (c == '(') {
                depth++;
                i++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int start = i;
                while (i < skeleton.length()
                        && (Character.isLetterOrDigit(skeleton.charAt(i))
                                || skeleton.charAt(i) == '_'
                                || skeleton.charAt(i) == '$')) {
                    i++;
                }
                if (depth == 0) {
                    words.add(skeleton.substring(start, i).toUpperCase(Locale.ROOT));
                }
            } else {
                i++;
            }
        }
        return words;
    }

    /** CREATE [OR REPLACE] [TEMPORARY] TABLE ... AS ..., or REPLACE TABLE ... AS ... */
    private static boolean isTableAsSelect(List<String> words) {
        int table = words.indexOf("TABLE");
        if (table < 0 || table > 4) {
            return false;
        }
        for (String w : words.subList(1, table)) {
            if (!w.equals("OR") && !w.equals("REPLACE") && !w.equals("TEMPORARY")) {
                return false; // e.g. CREATE MATERIALIZED TABLE: left to executeSql
            }
        }
        return words.subList(table + 1, words.size()).contains("AS");
    }

    private static final Pattern EXECUTE_STATEMENT_SET_BEGIN =
            Pattern.compile("(?is)^EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\b\\s*");

    /**
     * For {@code EXECUTE STATEMENT SET BEGIN INSERT ...}: the statement after BEGIN (empty if
     * none). Throws when comments stand between the keywords, which this does not untangle.
     */
    static String afterExecuteStatementSetBegin(Statement st) {
        if (!st.text.regionMatches(true, 0, "EXECUTE", 0, 7)) {
            return "";
        }
        Matcher m = EXECUTE_STATEMENT_SET_BEGIN.matcher(st.text);
        if (!m.find()) {
            throw new ScriptException(st.describe()
                    + ": write EXECUTE STATEMENT SET BEGIN without comments between the keywords");
        }
        return st.text.substring(m.end()).strip();
    }

    /**
     * Parses {@code SET key = value} / {@code RESET [key]} from a statement's skeleton. Keys and
     * values are single-quoted literals ({@code ''} escapes a quote) or, for compatibility with
     * older SQL client scripts, bare words without whitespace. Returns a null key for a bare RESET.
     */
    static Setting parseSetting(Statement st, Kind kind) {
        String s = st.skeleton.strip();
        String usage = kind == Kind.SET ? "SET 'key' = 'value'" : "RESET 'key' (or RESET)";
        int[] pos = {kind == Kind.SET ? 3 : 5}; // past the keyword
        skipSpace(s, pos);
        if (pos[0] >= s.length()) {
            if (kind == Kind.RESET) {
                return new Setting(null, null);
            }
            throw new ScriptException(st.describe()
                    + ": SET without a key (listing the configuration) is not supported; expected "
                    + usage);
        }
        String key = readToken(s, pos, st, usage);
        skipSpace(s, pos);
        String value = null;
        if (kind == Kind.SET) {
            if (pos[0] >= s.length() || s.charAt(pos[0]) != '=') {
                throw new ScriptException(st.describe() + ": expected " + usage);
            }
            pos[0]++;
            skipSpace(s, pos);
            value = readToken(s, pos, st, usage);
            skipSpace(s, pos);
        }
        if (pos[0] < s.length()) {
            throw new ScriptException(st.describe() + ": unexpected text after the "
                    + (kind == Kind.SET ? "value" : "key") + "; expected " + usage);
        }
        if (key.isEmpty()) {
            throw new ScriptException(st.describe() + ": empty key; expected " + usage);
        }
        return new Setting(key, value);
    }

    private static void skipSpace(String s, int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    /** A single-quoted literal (unescaped) or a run of characters other than whitespace and '='. */
    private static String readToken(String s, int[] pos, Statement st, String usage) {
        int start = pos[0];
        if (start >= s.length()) {
            throw new ScriptException(st.describe() + ": expected " + usage);
        }
        if (s.charAt(start) == '\'') {
            int end = endOfQuoted(s, start); // never -1: split() rejected unclosed literals
            pos[0] = end;
            return s.substring(start + 1, end - 1).replace("''", "'");
        }
        if (s.charAt(start) == '"' || s.charAt(start) == '`') {
            throw new ScriptException(st.describe() + ": quote keys and values with single quotes; expected " + usage);
        }
        int end = start;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '=') {
            end++;
        }
        if (end == start) {
            throw new ScriptException(st.describe() + ": expected " + usage);
        }
        pos[0] = end;
        return s.substring(start, end);
    }
}
