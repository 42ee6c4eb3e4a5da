use super::*;
use crate::meta::JobType;
use crate::meta::tests::{MANUAL_JAR, MANUAL_SQL, SEED_002_JAR};
use serde_json::json;
use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A zip of `(name, content)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer.start_file(*name, deflated()).expect("start entry");
        writer.write_all(content).expect("write entry");
    }
    writer.finish().expect("finish").into_inner()
}

fn read(bytes: &[u8]) -> Result<Package, PackageError> {
    read_package(bytes, &PackageLimits::default())
}

fn jar_meta() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "projectName": "shop",
        "jobName": "orders",
        "jobType": "flink.jar",
        "jobContent": {"main.class.jar": "app.jar", "main.class": "com.example.Orders", "args": ["--in", "kafka"]},
        "jobConfig": {"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops"}}
    }))
    .expect("json")
}

fn sql_meta(content: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jobName": "report",
        "jobType": "flink.sql",
        "jobContent": content,
        "jobConfig": {"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops"}}
    }))
    .expect("json")
}

const JAR_BYTES: &[u8] = b"PK\x03\x04 pretend this is a jar";

#[test]
fn default_limits() {
    let limits = PackageLimits::default();
    assert_eq!(limits.max_entries, 1_000);
    assert_eq!(limits.max_uncompressed_bytes, 512 * 1024 * 1024);
    assert_eq!(limits.max_meta_json_bytes, 16 * 1024 * 1024);
}

#[test]
fn reads_a_jar_package() {
    let meta = jar_meta();
    let bytes = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("conf/log4j.properties", b"rootLogger.level=INFO"),
    ]);
    let package = read(&bytes).expect("valid package");
    assert_eq!(package.spec.job_name, "orders");
    assert_eq!(package.spec.program_args, vec!["--in", "kafka"]);
    assert_eq!(package.jar.as_deref(), Some(JAR_BYTES));
    assert_eq!(package.sql, None);
    assert_eq!(
        package.files,
        vec![
            PackageFile {
                path: "meta.json".into(),
                size: meta.len() as u64
            },
            PackageFile {
                path: "app.jar".into(),
                size: JAR_BYTES.len() as u64
            },
            PackageFile {
                path: "conf/log4j.properties".into(),
                size: 21
            },
        ]
    );
    assert_eq!(
        package.meta_json,
        serde_json::from_slice::<Value>(&meta).expect("json")
    );
    assert!(package.warnings.is_empty(), "{:?}", package.warnings);
}

#[test]
fn reads_the_seed_002_example_package() {
    let bytes = zip_of(&[
        ("meta.json", SEED_002_JAR.as_bytes()),
        ("demo-stream-app-0.1.3-SNAPSHOT.jar", JAR_BYTES),
    ]);
    let package = read(&bytes).expect("the Streamis example is accepted");
    assert_eq!(package.spec.job_name, "0725_1");
    assert_eq!(package.jar.as_deref(), Some(JAR_BYTES));
    assert_eq!(package.spec.yarn_queue.as_deref(), Some("dws"));
    // Its only remark is about the checkpoint interval.
    assert_eq!(package.warnings.len(), 1, "{:?}", package.warnings);
}

#[test]
fn reads_the_user_manual_example_packages() {
    let bytes = zip_of(&[
        ("meta.json", MANUAL_JAR.as_bytes()),
        ("frauddetection-0.1.jar", JAR_BYTES),
    ]);
    let package = read(&bytes).expect("manual jar example");
    assert_eq!(
        package.spec.entry_class.as_deref(),
        Some("spendreport.FraudDetectionJob")
    );

    let bytes = zip_of(&[("meta.json", MANUAL_SQL.as_bytes())]);
    let package = read(&bytes).expect("manual sql example");
    assert_eq!(package.spec.job_type, JobType::FlinkSql);
    assert_eq!(package.sql.as_deref(), Some("select 1"));
    assert_eq!(package.jar, None);
}

#[test]
fn reads_sql_from_a_file_of_the_package() {
    let meta = sql_meta(json!({"type": "file", "file": "sql/report.sql"}));
    let sql = "\u{FEFF}INSERT INTO sink SELECT * FROM src; -- 报表\n";
    let bytes = zip_of(&[("meta.json", &meta), ("sql/report.sql", sql.as_bytes())]);
    let package = read(&bytes).expect("valid");
    assert_eq!(
        package.sql.as_deref(),
        Some("INSERT INTO sink SELECT * FROM src; -- 报表\n"),
        "the byte-order mark is dropped"
    );
    assert_eq!(package.files[1].size, sql.len() as u64);
}

#[test]
fn an_empty_upload_is_refused() {
    let err = read(&[]).expect_err("empty");
    assert_eq!(err, PackageError::Empty);
    assert_eq!(
        err.to_string(),
        "package: empty upload (0 bytes): expected a zip file"
    );
}

#[test]
fn something_else_than_a_zip_is_refused() {
    for bytes in [
        b"not a zip at all".as_slice(),
        b"PK\x03\x04truncated",
        &[0u8; 100],
    ] {
        let err = read(bytes).expect_err("not a zip");
        assert!(matches!(err, PackageError::NotZip { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("package: not a zip file: "),
            "{err}"
        );
    }
}

#[test]
fn meta_json_must_be_at_the_root() {
    let bytes = zip_of(&[("app.jar", JAR_BYTES)]);
    assert_eq!(
        read(&bytes),
        Err(PackageError::MissingMeta { found_at: None })
    );
    assert_eq!(
        PackageError::MissingMeta { found_at: None }.to_string(),
        "package: no meta.json at the root"
    );

    let meta = jar_meta();
    let bytes = zip_of(&[("orders/meta.json", &meta), ("orders/app.jar", JAR_BYTES)]);
    let err = read(&bytes).expect_err("nested");
    assert_eq!(
        err,
        PackageError::MissingMeta {
            found_at: Some("orders/meta.json".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "package: no meta.json at the root (found orders/meta.json: zip the files themselves, not their folder)"
    );

    // The name is case-sensitive, as in Streamis.
    let bytes = zip_of(&[("Meta.json", &meta), ("app.jar", JAR_BYTES)]);
    assert_eq!(
        read(&bytes),
        Err(PackageError::MissingMeta { found_at: None })
    );
}

#[test]
fn a_dot_slash_prefix_is_the_root() {
    let meta = jar_meta();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_directory("./", deflated()).expect("dir");
    writer.start_file("./meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    writer.start_file("./app.jar", deflated()).expect("entry");
    writer.write_all(JAR_BYTES).expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let package = read(&bytes).expect("./ is the root");
    let paths: Vec<&str> = package.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["meta.json", "app.jar"]);
}

/// Renames every entry called `from` to `to` (same length) in the raw bytes, where the zip
/// writer would not write `to` as given.
fn rename_entry(bytes: &mut [u8], from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let mut renamed = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from.as_bytes() {
            bytes[i..i + from.len()].copy_from_slice(to.as_bytes());
            renamed += 1;
        }
        i += 1;
    }
    assert_eq!(renamed, 2, "local header and central directory");
}

#[test]
fn zip_slip_entries_are_refused() {
    let meta = jar_meta();
    for evil in [
        "../evil",
        "/etc/cron.d/evil",
        "lib/../../evil",
        "lib/../app.jar",
        "a/./../../b",
        "..\\evil",
        "\\evil",
        "C:/evil",
    ] {
        // Written with a harmless first byte, then given its real name.
        let placeholder = format!("_{}", &evil[1..]);
        let mut bytes = zip_of(&[
            ("meta.json", &meta),
            ("app.jar", JAR_BYTES),
            (&placeholder, b"x"),
        ]);
        rename_entry(&mut bytes, &placeholder, evil);
        let err = read(&bytes).expect_err(evil);
        assert_eq!(
            err,
            PackageError::UnsafePath { entry: evil.into() },
            "{evil}"
        );
        assert_eq!(
            err.to_string(),
            format!("{evil}: unsafe path: absolute, or leaving the package through ..")
        );
    }
}

#[test]
fn symbolic_links_are_refused() {
    let meta = jar_meta();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    writer
        .add_symlink("app.jar", "/etc/passwd", deflated())
        .expect("symlink");
    let bytes = writer.finish().expect("finish").into_inner();
    let err = read(&bytes).expect_err("symlink");
    assert_eq!(
        err,
        PackageError::Symlink {
            entry: "app.jar".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "app.jar: symbolic links are not allowed in a package"
    );

    // The mode set by hand on an ordinary entry: 0o120777 is a link.
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    writer
        .start_file("link", deflated().external_attributes(0o120_777 << 16))
        .expect("entry");
    writer.write_all(b"/etc/shadow").expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    assert_eq!(
        read(&bytes),
        Err(PackageError::Symlink {
            entry: "link".into()
        })
    );
}

#[test]
fn an_executable_file_is_not_a_link() {
    let meta = jar_meta();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    writer
        .start_file("app.jar", deflated().unix_permissions(0o755))
        .expect("entry");
    writer.write_all(JAR_BYTES).expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    assert!(read(&bytes).is_ok());
}

#[test]
fn too_many_entries_are_refused() {
    let meta = jar_meta();
    let limits = PackageLimits {
        max_entries: 3,
        ..PackageLimits::default()
    };
    let three = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("a.txt", b"a"),
    ]);
    assert!(
        read_package(&three, &limits).is_ok(),
        "the limit itself is allowed"
    );
    let four = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("a.txt", b"a"),
        ("b.txt", b"b"),
    ]);
    let err = read_package(&four, &limits).expect_err("four entries");
    assert_eq!(err, PackageError::TooManyEntries { count: 4, limit: 3 });
    assert_eq!(
        err.to_string(),
        "package: 4 entries, more than the limit of 3"
    );
}

#[test]
fn directories_count_as_entries_but_are_not_files() {
    let meta = jar_meta();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_directory("lib/", deflated()).expect("dir");
    writer.start_file("meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    writer.start_file("app.jar", deflated()).expect("entry");
    writer.write_all(JAR_BYTES).expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let package = read(&bytes).expect("valid");
    assert_eq!(package.files.len(), 2);
    let limits = PackageLimits {
        max_entries: 2,
        ..PackageLimits::default()
    };
    assert_eq!(
        read_package(&bytes, &limits),
        Err(PackageError::TooManyEntries { count: 3, limit: 2 })
    );
}

const MIB: usize = 1024 * 1024;

#[test]
fn a_zip_bomb_is_refused() {
    let meta = jar_meta();
    let zeros = vec![0u8; 4 * MIB];
    let bytes = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("bomb.bin", &zeros),
    ]);
    assert!(
        bytes.len() < 64 * 1024,
        "compresses to {} bytes",
        bytes.len()
    );
    let limits = PackageLimits {
        max_uncompressed_bytes: MIB as u64,
        ..PackageLimits::default()
    };
    let err = read_package(&bytes, &limits).expect_err("bomb");
    assert_eq!(
        err,
        PackageError::TooLarge {
            entry: "bomb.bin".into(),
            limit: MIB as u64
        }
    );
    assert_eq!(
        err.to_string(),
        "bomb.bin: the package decompresses to more than the limit of 1048576 bytes"
    );
}

#[test]
fn the_limit_counts_every_entry_together() {
    let meta = jar_meta();
    let part = vec![7u8; 400 * 1024];
    let bytes = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("a.bin", &part),
        ("b.bin", &part),
        ("c.bin", &part),
    ]);
    let limits = PackageLimits {
        max_uncompressed_bytes: MIB as u64,
        ..PackageLimits::default()
    };
    assert_eq!(
        read_package(&bytes, &limits),
        Err(PackageError::TooLarge {
            entry: "c.bin".into(),
            limit: MIB as u64
        })
    );
    // Exactly at the limit is allowed.
    let total = (meta.len() + JAR_BYTES.len() + 2 * part.len()) as u64;
    let exact = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("a.bin", &part),
        ("b.bin", &part),
    ]);
    let limits = PackageLimits {
        max_uncompressed_bytes: total,
        ..PackageLimits::default()
    };
    assert!(read_package(&exact, &limits).is_ok());
    let limits = PackageLimits {
        max_uncompressed_bytes: total - 1,
        ..PackageLimits::default()
    };
    assert!(matches!(
        read_package(&exact, &limits),
        Err(PackageError::TooLarge { .. })
    ));
}

/// Rewrites the uncompressed size of every entry named `name`, in its local header and in the
/// central directory, to `size`: a zip whose headers lie.
fn lie_about_size(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut patched = 0;
    let mut i = 0;
    while i + 46 <= bytes.len() {
        let sig = &bytes[i..i + 4];
        let (name_at, size_at) = if sig == b"PK\x03\x04" {
            (i + 30, i + 22)
        } else if sig == b"PK\x01\x02" {
            (i + 46, i + 24)
        } else {
            i += 1;
            continue;
        };
        let len_at = if sig == b"PK\x03\x04" { i + 26 } else { i + 28 };
        let name_len = usize::from(u16::from_le_bytes([bytes[len_at], bytes[len_at + 1]]));
        if bytes.get(name_at..name_at + name_len) == Some(name) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        i += 4;
    }
    assert_eq!(patched, 2, "local header and central directory");
}

#[test]
fn sizes_in_headers_are_not_trusted() {
    let meta = jar_meta();
    let zeros = vec![0u8; 4 * MIB];
    let mut bytes = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("bomb.bin", &zeros),
    ]);
    lie_about_size(&mut bytes, "bomb.bin", 10);
    let limits = PackageLimits {
        max_uncompressed_bytes: MIB as u64,
        ..PackageLimits::default()
    };
    // The header claims 10 bytes; more comes out and the package is refused all the same (by
    // the zip reader, which also holds an entry to its declared size, or by the count).
    let err = read_package(&bytes, &limits).expect_err("lying header");
    match err {
        PackageError::TooLarge { entry, .. } | PackageError::Unreadable { entry, .. } => {
            assert_eq!(entry, "bomb.bin");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_damaged_entry_is_unreadable() {
    let meta = jar_meta();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("meta.json", deflated()).expect("entry");
    writer.write_all(&meta).expect("write");
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    writer.start_file("app.jar", stored).expect("entry");
    writer.write_all(b"AAAAAAAAAAAAAAAA").expect("write");
    let mut bytes = writer.finish().expect("finish").into_inner();
    let at = bytes
        .windows(16)
        .position(|w| w == b"AAAAAAAAAAAAAAAA")
        .expect("stored data");
    bytes[at] = b'B';
    let err = read(&bytes).expect_err("checksum");
    assert!(
        matches!(&err, PackageError::Unreadable { entry, .. } if entry == "app.jar"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("app.jar: cannot be read: "),
        "{err}"
    );
}

#[test]
fn meta_json_has_its_own_limit() {
    let meta = jar_meta();
    let bytes = zip_of(&[("meta.json", &meta), ("app.jar", JAR_BYTES)]);
    let limits = PackageLimits {
        max_meta_json_bytes: meta.len() as u64 - 1,
        ..PackageLimits::default()
    };
    let err = read_package(&bytes, &limits).expect_err("too large");
    assert_eq!(
        err,
        PackageError::MetaTooLarge {
            limit: meta.len() as u64 - 1
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "meta.json: larger than the limit of {} bytes",
            meta.len() - 1
        )
    );
    let limits = PackageLimits {
        max_meta_json_bytes: meta.len() as u64,
        ..PackageLimits::default()
    };
    assert!(read_package(&bytes, &limits).is_ok());
}

#[test]
fn meta_json_errors_name_the_path() {
    let meta = serde_json::to_vec(&json!({
        "jobName": "j", "jobType": "flink.jar", "jobContent": {"main.class.jar": "app.jar"}
    }))
    .expect("json");
    let bytes = zip_of(&[("meta.json", &meta), ("app.jar", JAR_BYTES)]);
    let err = read(&bytes).expect_err("no entry class");
    assert!(matches!(err, PackageError::Meta(_)));
    assert_eq!(
        err.to_string(),
        "meta.json: jobContent.main.class: required for jobType flink.jar"
    );

    let bytes = zip_of(&[("meta.json", b"{ not json")]);
    let err = read(&bytes).expect_err("not json");
    assert!(
        err.to_string().starts_with("meta.json: not valid JSON: "),
        "{err}"
    );
}

#[test]
fn the_named_jar_must_be_in_the_package() {
    let meta = jar_meta();
    let bytes = zip_of(&[("meta.json", &meta), ("lib/app.jar", JAR_BYTES)]);
    let err = read(&bytes).expect_err("missing jar");
    assert_eq!(
        err,
        PackageError::MissingJar {
            name: "app.jar".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "app.jar: named by meta.json jobContent.main.class.jar but not in the package"
    );
}

#[test]
fn the_named_sql_file_must_be_in_the_package() {
    let meta = sql_meta(json!({"type": "file", "file": "report.sql"}));
    let bytes = zip_of(&[("meta.json", &meta), ("other.sql", b"select 1")]);
    let err = read(&bytes).expect_err("missing sql");
    assert_eq!(
        err,
        PackageError::MissingSql {
            name: "report.sql".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "report.sql: named by meta.json jobContent.file but not in the package"
    );
}

#[test]
fn sql_must_be_utf8() {
    let meta = sql_meta(json!({"type": "file", "file": "report.sql"}));
    // "select '" then a GBK-encoded character.
    let bytes = zip_of(&[("meta.json", &meta), ("report.sql", b"select '\xB1\xA8'")]);
    let err = read(&bytes).expect_err("not utf-8");
    assert_eq!(
        err,
        PackageError::SqlNotUtf8 {
            name: "report.sql".into(),
            offset: 8
        }
    );
    assert_eq!(
        err.to_string(),
        "report.sql: SQL is not UTF-8 text (invalid byte at offset 8)"
    );
}

#[test]
fn missing_dependency_jars_and_resources_are_only_warned() {
    let meta = serde_json::to_vec(&json!({
        "jobName": "j", "jobType": "flink.jar",
        "jobContent": {
            "main.class.jar": "app.jar", "main.class": "a.B",
            "dependency.jars": ["dep.jar", "udf.jar"],
            "resources": ["log4j.properties"]
        },
        "jobConfig": {"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops"}}
    }))
    .expect("json");
    let bytes = zip_of(&[
        ("meta.json", &meta),
        ("app.jar", JAR_BYTES),
        ("udf.jar", b"udf"),
    ]);
    let package = read(&bytes).expect("valid");
    let lines: Vec<String> = package.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "dep.jar: named by meta.json jobContent.dependency.jars but not in the package (Streamis would look among the project's shared files)",
            "log4j.properties: named by meta.json jobContent.resources but not in the package (Streamis would look among the project's shared files)",
        ]
    );
}

#[test]
fn meta_json_warnings_are_carried() {
    let meta = serde_json::to_vec(&json!({
        "jobName": "j", "jobType": "flink.jar", "owner": "me",
        "jobContent": {"main.class.jar": "app.jar", "main.class": "a.B"},
        "jobConfig": {"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops"}}
    }))
    .expect("json");
    let bytes = zip_of(&[("meta.json", &meta), ("app.jar", JAR_BYTES)]);
    let package = read(&bytes).expect("valid");
    assert_eq!(
        package.warnings,
        vec![Warning {
            file: "meta.json".into(),
            path: "owner".into(),
            message: "unknown key; ignored".into()
        }]
    );
}

#[test]
fn names_that_are_absolute_or_climb() {
    for name in [
        "/a", "\\a", "C:a", "c:/a", "..", "a/..", "a/../b", "a\\..\\b", "a\0b",
    ] {
        assert!(climbs_or_is_absolute(name), "{name:?}");
    }
    for name in ["a", "a/b", "./a", "a..b", "..a", "a/.../b", "1:a"] {
        assert!(!climbs_or_is_absolute(name), "{name:?}");
    }
}
