package io.streamwarden.sqlrunner;

import io.streamwarden.sqlrunner.SqlScript.Kind;
import io.streamwarden.sqlrunner.SqlScript.ScriptException;
import io.streamwarden.sqlrunner.SqlScript.Setting;
import io.streamwarden.sqlrunner.SqlScript.Statement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Flink SQL script as one streaming Flink job. Built into sql-runner.jar by {@code
 * scripts/flink.sh sqlrunner} and submitted like any jar job (REST {@code POST /jars/upload}, then
 * {@code POST /jars/:id/run}); see sql-runner/README.md.
 *
 * <p>Program arguments, exactly one of:
 *
 * <ul>
 *   <li>{@code --sql-base64 <B64>}: the script as the base64 of its UTF-8 bytes (standard or
 *       URL-safe alphabet, padding optional, whitespace/newlines ignored). Preferred: the whole
 *       script travels in one program argument, with no quoting or file to ship.
 *   <li>{@code --sql-file <PATH>}: a UTF-8 file, read on the machine that runs {@code main} (the
 *       JobManager for a REST submission).
 * </ul>
 *
 * <p>Statements, in script order: {@code SET 'key' = 'value'} / {@code RESET ['key']} change the
 * configuration; INSERT (and CREATE/REPLACE TABLE ... AS SELECT) are added to one {@link
 * StatementSet} that is executed after the last statement, so all of them form a single job;
 * {@code BEGIN STATEMENT SET; ... END;} and {@code EXECUTE STATEMENT SET BEGIN ... END;} blocks
 * are accepted (their INSERTs join the same set); bare queries (SELECT/WITH/VALUES/TABLE) and
 * other EXECUTE statements are rejected, as they would start jobs of their own;
 * everything else (CREATE/DROP/ALTER/USE/SHOW/EXPLAIN ...) runs at once with {@code executeSql}.
 *
 * <p>Failures are thrown as exceptions, never {@code System.exit}: main runs inside the
 * JobManager for a REST submission, where exiting would stop the JobManager. Flink then answers
 * the run request with an error whose cause is our message ("statement N (line L: first line):
 * reason").
 */
public final class SqlRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);

    private static final String USAGE =
            "usage: SqlRunner --sql-base64 <base64 of the UTF-8 SQL script> | --sql-file <path>";

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        SqlScript.sensitiveKey = GlobalConfiguration::isSensitive; // mask secrets as Flink does
        String[] source = new String[1]; // set by readScript: how to name the script in messages
        String script = readScript(args, source);
        List<Statement> statements = SqlScript.split(script);
        if (statements.isEmpty()) {
            throw new ScriptException("the SQL script from " + source[0]
                    + " is empty: it holds no statement, only whitespace and comments");
        }
        LOG.info("SqlRunner: {} statement(s) from {}", statements.size(), source[0]);
        run(statements);
    }

    // ------------------------------------------------------------------------------------------
    // arguments
    // ------------------------------------------------------------------------------------------

    /** The script's text from the arguments; {@code source[0]} gets a description of its origin. */
    static String readScript(String[] args, String[] source) {
        if (args.length != 2) {
            throw new ScriptException("expected 2 program arguments, got " + args.length + "; " + USAGE);
        }
        String flag = args[0];
        String value = args[1];
        switch (flag) {
            case "--sql-base64":
                byte[] bytes = decodeBase64(value);
                source[0] = "--sql-base64 (" + bytes.length + " bytes)";
                return decodeUtf8(bytes, "--sql-base64");
            case "--sql-file":
                Path path = Paths.get(value);
                byte[] content;
                try {
                    content = Files.readAllBytes(path);
                } catch (NoSuchFileException e) {
                    throw new ScriptException("--sql-file: no such file: " + path.toAbsolutePath()
                            + " (the path is read where main() runs: on the JobManager for a REST"
                            + " submission)");
                } catch (IOException e) {
                    throw new ScriptException("--sql-file: cannot read " + path.toAbsolutePath() + ": " + e, e);
                }
                source[0] = "--sql-file " + path.toAbsolutePath() + " (" + content.length + " bytes)";
                return decodeUtf8(content, "--sql-file " + path);
            default:
                throw new ScriptException("unknown program argument '" + flag + "'; " + USAGE);
        }
    }

    private static byte[] decodeBase64(String value) {
        String compact = value.replaceAll("\\s+", ""); // tolerate line-wrapped output of base64(1)
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException standard) {
            try {
                return Base64.getUrlDecoder().decode(compact);
            } catch (IllegalArgumentException urlSafe) {
                throw new ScriptException("--sql-base64: not valid base64: " + standard.getMessage());
            }
        }
    }

    private static String decodeUtf8(byte[] bytes, String what) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text; // drop a byte-order mark
        } catch (CharacterCodingException e) {
            throw new ScriptException(what + ": the script is not valid UTF-8 (" + e + ")");
        }
    }

    // ------------------------------------------------------------------------------------------
    // running
    // ------------------------------------------------------------------------------------------

    static void run(List<Statement> statements) {
        // The context environment: for a REST submission it carries the cluster's configuration
        // and submits to the cluster that runs main.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(env, EnvironmentSettings.newInstance().inStreamingMode().build());
        StatementSet statementSet = tEnv.createStatementSet();
        List<Statement> jobStatements = new ArrayList<>();
        Set<String> keysSet = new LinkedHashSet<>(); // for a bare RESET
        Map<String, Statement> setBy = new HashMap<>(); // key -> the SET that set it, for errors
        Statement openBlock = null; // the BEGIN of the statement-set block we are in, if any

        for (Statement st : statements) {
            Kind kind = st.kind();
            try {
                if (openBlock != null && kind != Kind.JOB && kind != Kind.END_SET) {
                    throw new ScriptException("only INSERT statements may stand inside the statement-set block"
                            + " opened by statement " + openBlock.number + " (missing END?)");
                }
                switch (kind) {
                    case SET: {
                        Setting s = SqlScript.parseSetting(st, kind);
                        tEnv.getConfig().set(s.key, s.value);
                        keysSet.add(s.key);
                        setBy.put(s.key, st);
                        LOG.info("SqlRunner: {}: OK", st.describe()); // describe() masks secret values
                        break;
                    }
                    case RESET: {
                        Setting s = SqlScript.parseSetting(st, kind);
                        if (s.key == null) {
                            keysSet.forEach(k -> tEnv.getConfig().getConfiguration().removeKey(k));
                            LOG.info("SqlRunner: {}: RESET all {} key(s) set so far", st.describe(), keysSet.size());
                            keysSet.clear();
                        } else {
                            tEnv.getConfig().getConfiguration().removeKey(s.key);
                            keysSet.remove(s.key);
                            LOG.info("SqlRunner: {}: RESET '{}'", st.describe(), s.key);
                        }
                        break;
                    }
                    case BEGIN_SET: {
                        openBlock = st;
                        LOG.info("SqlRunner: {}: statement-set block opened", st.describe());
                        Statement inner = SqlScript.innerOfExecuteStatementSet(st);
                        if (inner != null) { // EXECUTE STATEMENT SET BEGIN INSERT ...
                            if (inner.kind() != Kind.JOB) {
                                throw new ScriptException("only INSERT statements may follow EXECUTE STATEMENT SET BEGIN");
                            }
                            addJobStatement(statementSet, jobStatements, inner);
                        }
                        break;
                    }
                    case END_SET:
                        if (openBlock == null) {
                            throw new ScriptException("END without BEGIN STATEMENT SET");
                        }
                        openBlock = null;
                        LOG.info("SqlRunner: {}: statement-set block closed", st.describe());
                        break;
                    case JOB:
                        addJobStatement(statementSet, jobStatements, st);
                        break;
                    case REJECTED:
                        throw new ScriptException("only INSERT INTO (or CREATE TABLE ... AS SELECT) may"
                                + " read data: a bare query or EXECUTE would start a job of its own whose"
                                + " results nobody reads; write INSERT INTO <sink> <query>");
                    case OTHER:
                    default:
                        executeNow(tEnv, st);
                        break;
                }
            } catch (ScriptException e) {
                if (e.getMessage().startsWith(st.describe())) {
                    throw e; // already names the statement
                }
                throw new ScriptException(st.describe() + ": " + e.getMessage(), e.getCause());
            } catch (RuntimeException e) {
                // Flink's parser/validator/catalog errors: keep Flink's message and stack as the cause.
                throw new ScriptException(st.describe() + " failed: " + withScriptLine(reason(e, setBy), st), e);
            }
        }

        if (openBlock != null) {
            throw new ScriptException(openBlock.describe() + ": statement-set block has no END");
        }
        if (jobStatements.isEmpty()) {
            throw new ScriptException("the SQL script has no INSERT statement, so there is no job to run"
                    + " (its " + statements.size() + " statement(s) ran: DDL and SET only)");
        }
        submit(tEnv, statementSet, jobStatements, setBy);
    }

    private static void addJobStatement(StatementSet set, List<Statement> jobStatements, Statement st) {
        set.addInsertSql(st.text); // parses and validates now; planning happens at execute()
        jobStatements.add(st);
        LOG.info("SqlRunner: {}: added to the statement set ({} so far)", st.describe(), jobStatements.size());
    }

    /** Runs a non-job statement (DDL, USE, SHOW, EXPLAIN ...) with executeSql. */
    private static void executeNow(StreamTableEnvironment tEnv, Statement st) {
        TableResult result = tEnv.executeSql(st.text);
        Optional<JobClient> job = result.getJobClient();
        if (job.isPresent()) {
            // Safety net for statement kinds that submit a job of their own; keep to one job.
            job.get().cancel();
            throw new ScriptException("it started job " + job.get().getJobID()
                    + " of its own (cancelled); only INSERT statements may start the job");
        }
        if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
            StringBuilder rows = new StringBuilder();
            int count = 0;
            try (CloseableIterator<Row> it = result.collect()) {
                while (it.hasNext()) {
                    Row row = it.next();
                    if (count++ < 200) {
                        rows.append("\n  ").append(row);
                    }
                }
            } catch (Exception e) {
                rows.append("\n  (reading the result failed: ").append(e).append(')');
            }
            LOG.info("SqlRunner: {}: OK, {} row(s):{}", st.describe(), count, rows);
        } else {
            LOG.info("SqlRunner: {}: OK", st.describe());
        }
    }

    private static final Pattern CONFIG_KEY = Pattern.compile("for key '([^']+)'");
    private static final Pattern POSITION = Pattern.compile("at line (\\d+), column (\\d+)");
    private static final String EXPECTING = "\nWas expecting";

    /**
     * Flink's parser counts lines from the statement's first line; add the script's line number
     * to its first "at line L, column C" so that the position can be found in the script.
     */
    static String withScriptLine(String message, Statement st) {
        Matcher m = POSITION.matcher(message);
        if (!m.find()) {
            return message;
        }
        int scriptLine = st.line + Integer.parseInt(m.group(1)) - 1;
        return message.substring(0, m.end()) + " of the statement (line " + scriptLine + " of the script)"
                + message.substring(m.end());
    }

    /**
     * Flink's message for {@code e}, plus the message of its root cause when that adds something
     * (e.g. "Unable to create a sink ..." is caused by "Could not find any factory for identifier
     * 'kafka' ..."), plus which SET gave a configuration key its value when Flink complains about
     * that key (options are only parsed when read, often not before the job is planned).
     */
    static String reason(Throwable e, Map<String, Statement> setBy) {
        String message = String.valueOf(e.getMessage());
        int expecting = message.indexOf(EXPECTING);
        if (expecting >= 0) { // the parser's list of expected tokens runs to hundreds of lines
            message = message.substring(0, expecting).strip() + " (expected tokens: see the cause below)";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage();
        if (root != e && rootMessage != null && !rootMessage.contains(EXPECTING)
                && !message.contains(rootMessage.strip())) {
            message = message + (message.contains("\n") ? "\nRoot cause: " : " Root cause: ") + rootMessage.strip();
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = CONFIG_KEY.matcher(String.valueOf(t.getMessage()));
            if (m.find() && setBy.containsKey(m.group(1))) {
                message = message + " (the value of '" + m.group(1) + "' comes from "
                        + setBy.get(m.group(1)).describe() + ")";
                break;
            }
        }
        return message;
    }

    /** Executes the statement set: one job for all INSERTs. */
    private static void submit(
            StreamTableEnvironment tEnv, StatementSet set, List<Statement> jobStatements, Map<String, Statement> setBy) {
        String which = jobStatements.stream()
                .map(s -> String.valueOf(s.number))
                .collect(Collectors.joining(", "));
        String name = tEnv.getConfig().getOptional(PipelineOptions.NAME).orElse(null);
        LOG.info("SqlRunner: submitting {} INSERT statement(s) (statements {}) as one job{}",
                jobStatements.size(), which, name == null ? "" : " named '" + name + "'");
        TableResult result;
        try {
            result = set.execute();
        } catch (RuntimeException e) {
            String first = jobStatements.size() == 1 ? jobStatements.get(0).describe()
                    : "statements " + which + " (first: " + jobStatements.get(0).describe() + ")";
            throw new ScriptException("planning or submitting the job for " + first + " failed: "
                    + reason(e, setBy), e);
        }
        Optional<JobClient> job = result.getJobClient();
        LOG.info("SqlRunner: submitted job {}", job.map(j -> j.getJobID().toString()).orElse("(no job id)"));
    }
}
