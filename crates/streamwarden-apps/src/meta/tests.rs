use super::*;
use serde_json::json;

fn parse(value: Value) -> ParsedMeta {
    match parse_meta_value(&value) {
        Ok(parsed) => parsed,
        Err(e) => panic!("expected a valid meta.json, got: {e}"),
    }
}

fn errors(value: Value) -> Vec<String> {
    match parse_meta_value(&value) {
        Ok(parsed) => panic!("expected errors, got {:?}", parsed.spec),
        Err(e) => e.errors.iter().map(ToString::to_string).collect(),
    }
}

fn warnings(parsed: &ParsedMeta) -> Vec<String> {
    parsed.warnings.iter().map(ToString::to_string).collect()
}

fn has_warning(parsed: &ParsedMeta, path: &str, needle: &str) -> bool {
    parsed
        .warnings
        .iter()
        .any(|w| w.file == META_FILE && w.path == path && w.message.contains(needle))
}

fn jar_meta(config: Value) -> Value {
    json!({
        "projectName": "proj",
        "jobName": "job",
        "jobType": "flink.jar",
        "jobContent": {"main.class.jar": "app.jar", "main.class": "com.example.Main"},
        "jobConfig": config,
    })
}

const RES: &str = "jobConfig.wds.linkis.flink.resource";
const PROD: &str = "jobConfig.wds.linkis.flink.produce";
const CUSTOM: &str = "jobConfig.wds.linkis.flink.custom";

fn alerting() -> Value {
    json!({"wds.linkis.flink.alert.failure.user": "ops"})
}

// ---- Streamis' own examples -------------------------------------------------------------

/// Seed 002 ("meta.json作业模版定义"): the flink.jar example, with its level annotations
/// (`1`, `2[@IDC_…]`, `3[@IDC_…]`) and the comma after the last custom key removed; every
/// key and value is as in the seed. It has no projectName: Streamis takes it from the upload.
pub(crate) const SEED_002_JAR: &str =
    include_str!("../../tests/fixtures/streamis_seed_002_jar.json");

#[test]
fn seed_002_jar_example_maps_every_key() {
    let parsed = parse_meta_json(SEED_002_JAR.as_bytes()).expect("the seed example is valid");
    let spec = &parsed.spec;
    assert_eq!(spec.project_name, None);
    assert_eq!(spec.job_name, "0725_1");
    assert_eq!(spec.job_type, JobType::FlinkJar);
    assert_eq!(spec.tags, vec!["test_0.2.5_jar_12"]);
    assert_eq!(spec.description.as_deref(), Some("测试普罗米修斯"));
    assert_eq!(
        spec.jar.as_deref(),
        Some("demo-stream-app-0.1.3-SNAPSHOT.jar")
    );
    assert_eq!(
        spec.entry_class.as_deref(),
        Some("com.webank.wedatasphere.stream.apps.core.entrance.StreamAppEntrance")
    );
    assert_eq!(spec.program_args.len(), 6);
    assert_eq!(spec.program_args[0], "--kafka.bootstrap.servers");
    assert_eq!(spec.program_args[5], "cfpd_rcs_ef_risk_bdap");
    assert_eq!(spec.parallelism, 1);
    assert_eq!(spec.jobmanager_memory_mb, 1024);
    assert_eq!(spec.taskmanager_memory_mb, 2048);
    assert_eq!(spec.taskmanager_slots, 2);
    assert_eq!(spec.taskmanager_cpus, 2);
    assert_eq!(spec.yarn_queue.as_deref(), Some("dws"));
    assert!(spec.checkpointing);
    assert!(!spec.fail_restart);
    assert!(!spec.auto_restore);
    assert_eq!(spec.alert_recipients, vec!["alexyang"]);
    assert_eq!(spec.streamis.manage_mode.as_deref(), Some("detach"));
    let flink = &spec.flink_configuration;
    assert_eq!(flink["parallelism.default"], "1");
    assert_eq!(flink["jobmanager.memory.process.size"], "1024m");
    assert_eq!(flink["taskmanager.memory.process.size"], "2048m");
    assert_eq!(flink["taskmanager.numberOfTaskSlots"], "2");
    assert_eq!(flink["taskmanager.cpu.cores"], "2");
    assert_eq!(flink["yarn.application.queue"], "dws");
    assert_eq!(flink["classloader.resolve-order"], "parent-first");
    assert_eq!(
        flink["security.kerberos.login.contexts"],
        "Client,KafkaClient"
    );
    assert_eq!(
        flink["env.java.opts"], "-DjobName=0607_1",
        "values are trimmed"
    );
    assert_eq!(flink.len(), 15, "6 translated + 9 custom: {flink:?}");
    // The only remark: checkpointing without an interval.
    assert_eq!(
        warnings(&parsed),
        vec![format!(
            "meta.json: {PROD}.wds.linkis.flink.checkpoint.switch: checkpointing is ON but no interval is given (wds.linkis.flink.checkpoint.interval): Flink checkpoints only if the program enables it"
        )]
    );
}

/// The user manual's flink.jar example (docs/en_US/userManual/StreamisUserManual.md §4.1.1),
/// verbatim.
pub(crate) const MANUAL_JAR: &str = r#"{
    "projectName": "flinkJarTest3",
    "jobName": "flinkJarTestc",
    "jobType": "flink.jar",
    "tags": "e,t,y,h,g",
    "description": "test of FlinkJar Job3",
    "jobContent": {
        "main.class.jar": "frauddetection-0.1.jar",
        "main.class": "spendreport.FraudDetectionJob",
        "args": ["aa","bb"],
        "hdfs.jars": [],
        "dependency.jars": [],
        "resources": []
    }
}"#;

/// The user manual's flink.sql example (§4.1.2), verbatim.
pub(crate) const MANUAL_SQL: &str = r#"{
  "projectName": "flinkSqlTestD",
  "jobName": "flinkSqlTesta",
  "jobType": "flink.sql",
  "tags": "a,b,c",
  "description": "test FlinkSql JobD",
  "jobContent": {
    "type": "sql",
    "sql": "select 1",
    "file": "",
    "resourceId": "",
    "version": ""
  }
}"#;

#[test]
fn manual_jar_example_takes_every_default() {
    let parsed = parse_meta_json(MANUAL_JAR.as_bytes()).expect("valid");
    let spec = &parsed.spec;
    assert_eq!(spec.project_name.as_deref(), Some("flinkJarTest3"));
    assert_eq!(spec.tags, vec!["e", "t", "y", "h", "g"]);
    assert_eq!(spec.program_args, vec!["aa", "bb"]);
    assert_eq!(spec.parallelism, DEFAULT_PARALLELISM);
    assert_eq!(spec.parallelism, 4);
    assert_eq!(spec.jobmanager_memory_mb, 1024);
    assert_eq!(spec.taskmanager_memory_mb, 4096);
    assert_eq!(spec.taskmanager_slots, 2);
    assert_eq!(spec.taskmanager_cpus, 2);
    assert!(!spec.checkpointing && !spec.fail_restart && !spec.auto_restore);
    assert_eq!(spec.yarn_queue, None);
    assert_eq!(spec.restore_savepoint, None);
    assert_eq!(
        spec.flink_configuration,
        BTreeMap::from([
            (
                "jobmanager.memory.process.size".to_owned(),
                "1024m".to_owned()
            ),
            ("parallelism.default".to_owned(), "4".to_owned()),
            ("taskmanager.cpu.cores".to_owned(), "2".to_owned()),
            (
                "taskmanager.memory.process.size".to_owned(),
                "4096m".to_owned()
            ),
            ("taskmanager.numberOfTaskSlots".to_owned(), "2".to_owned()),
        ])
    );
    assert_eq!(
        warnings(&parsed),
        vec![format!(
            "meta.json: {PROD}.wds.linkis.flink.alert.failure.user: no one is alerted when the application fails (Streamis refuses to start a job without failure alert users)"
        )]
    );
}

#[test]
fn manual_sql_example_is_inline_sql() {
    let parsed = parse_meta_json(MANUAL_SQL.as_bytes()).expect("valid");
    assert_eq!(parsed.spec.job_type, JobType::FlinkSql);
    assert_eq!(
        parsed.spec.sql,
        Some(SqlSource::Inline {
            sql: "select 1".into()
        })
    );
    assert_eq!(parsed.spec.jar, None);
    assert_eq!(parsed.spec.entry_class, None);
    // The empty file/resourceId/version are not remarked upon.
    assert!(
        !parsed
            .warnings
            .iter()
            .any(|w| w.path.starts_with("jobContent"))
    );
}

/// Seed 002 §4.3 and seed 004 §3: the default `jobConfig` block, verbatim.
const SEED_DEFAULT_JOB_CONFIG: &str = r#"{
        "wds.linkis.flink.resource": {
        "wds.linkis.flink.app.parallelism":"4",
        "wds.linkis.flink.jobmanager.memory":"2048",
        "wds.linkis.flink.taskmanager.memory":"4096",
        "wds.linkis.flink.taskmanager.numberOfTaskSlots":"2",
        "wds.linkis.flink.taskmanager.cpus":"2"
      },
      "wds.linkis.flink.custom": {
            "stream.log.filter.keywords":"ERROR,WARN,INFO",
            "security.kerberos.krb5-conf.path":"",
            "demo.log.tps.rate":"20000",
             "classloader.resolve-order":"parent-first",
             "stream.log.debug":"true",
             "security.kerberos.login.contexts":"",
             "security.kerberos.login.keytab":"",
             "security.kerberos.login.principal":""
      },
      "wds.linkis.flink.produce": {
          "wds.linkis.flink.checkpoint.switch":"OFF",
        "wds.linkis.flink.app.fail-restart.switch":"OFF",
        "wds.linkis.flink.app.start-auto-restore.switch":"OFF"
      }
    }"#;

#[test]
fn seed_default_job_config_block() {
    let config: Value = serde_json::from_str(SEED_DEFAULT_JOB_CONFIG).expect("valid JSON");
    let parsed = parse(jar_meta(config));
    let spec = &parsed.spec;
    assert_eq!(spec.parallelism, 4);
    assert_eq!(spec.jobmanager_memory_mb, 2048);
    assert!(!spec.checkpointing && !spec.fail_restart && !spec.auto_restore);
    let flink = &spec.flink_configuration;
    assert_eq!(flink["stream.log.filter.keywords"], "ERROR,WARN,INFO");
    assert_eq!(flink["stream.log.debug"], "true");
    assert_eq!(flink["demo.log.tps.rate"], "20000");
    // The four empty kerberos values are left out, each with a remark.
    for key in [
        "security.kerberos.krb5-conf.path",
        "security.kerberos.login.contexts",
        "security.kerberos.login.keytab",
        "security.kerberos.login.principal",
    ] {
        assert!(!flink.contains_key(key), "{key}");
        assert!(
            has_warning(
                &parsed,
                &format!("{CUSTOM}.{key}"),
                "empty value; not passed to Flink"
            ),
            "{key}"
        );
    }
}

/// Seed 004 §3's template, with its `#` comments removed (it is not JSON otherwise). Left
/// blank, it is refused, and the errors say where.
#[test]
fn seed_004_blank_template_is_refused_with_paths() {
    let template = json!({
        "projectName": "",
        "jobName": "",
        "jobType": "flink.sql",
        "tags": "",
        "description": "",
        "jobContent": {},
        "jobConfig": {
            "wds.linkis.flink.resource": {
                "wds.linkis.flink.app.parallelism":"4",
                "wds.linkis.flink.jobmanager.memory":"2048",
                "wds.linkis.flink.taskmanager.memory":"4096",
                "wds.linkis.flink.taskmanager.numberOfTaskSlots":"2",
                "wds.linkis.flink.taskmanager.cpus":"2",
                "wds.linkis.rm.yarnqueue":"queue_0301_04"
            },
            "wds.linkis.flink.custom": {
                "stream.log.filter.keywords":"ERROR,WARN,INFO",
                "security.kerberos.krb5-conf.path":"/appcom/Install/streamis/krb5.conf",
                "demo.log.tps.rate":"20000",
                "classloader.resolve-order":"parent-first",
                "stream.log.debug":"true",
                "security.kerberos.login.contexts":"KafkaClient,Client",
                "security.kerberos.login.keytab":"/appcom/Install/streamis/hadoop.keytab",
                "security.kerberos.login.principal":"hadoop/inddev010004@WEBANK.COM"
            },
            "wds.linkis.flink.produce": {
                "wds.linkis.flink.checkpoint.switch":"OFF",
                "wds.linkis.flink.app.fail-restart.switch":"OFF",
                "wds.linkis.flink.app.start-auto-restore.switch":"OFF"
            }
        }
    });
    assert_eq!(
        errors(template.clone()),
        vec![
            "meta.json: jobName: must not be blank",
            "meta.json: jobContent: must not be empty",
        ]
    );
    // Filled in, the same template is accepted and its custom keys pass through.
    let mut filled = template;
    filled["jobName"] = json!("demo");
    filled["jobContent"] = json!({"type": "sql", "sql": "INSERT INTO a SELECT * FROM b"});
    let parsed = parse(filled);
    assert_eq!(parsed.spec.yarn_queue.as_deref(), Some("queue_0301_04"));
    assert_eq!(
        parsed.spec.flink_configuration["security.kerberos.login.principal"],
        "hadoop/inddev010004@WEBANK.COM"
    );
}

/// Seed 002 §8.2: `resources` naming a log4j file (quoted here; the seed leaves the name
/// unquoted, which is not JSON).
#[test]
fn seed_002_resources_example() {
    let parsed = parse(json!({
        "jobName": "j", "jobType": "flink.jar",
        "jobContent": {
            "main.class.jar": "demo-stream-app-0.1.3-SNAPSHOT.jar",
            "main.class": "com.webank.wedatasphere.stream.apps.core.entrance.StreamAppEntrance",
            "args": ["--kafka.bootstrap.servers", "10.108.192.49:9092", "--user", "hadoop"],
            "hdfs.jars": [],
            "resources": ["log4j.properties"]
        },
        "jobConfig": {"wds.linkis.flink.produce": alerting()}
    }));
    assert_eq!(parsed.spec.resources, vec!["log4j.properties"]);
    assert!(parsed.spec.hdfs_jars.is_empty());
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

// ---- Top level ----------------------------------------------------------------------------

#[test]
fn job_type_must_be_flink_jar_or_flink_sql() {
    for (given, want) in [
        (
            json!("spark.jar"),
            "meta.json: jobType: unsupported job type \"spark.jar\": expected flink.jar or flink.sql",
        ),
        (
            json!("flink.workflow"),
            "meta.json: jobType: unsupported job type \"flink.workflow\": expected flink.jar or flink.sql",
        ),
        (
            json!("Flink.Jar"),
            "meta.json: jobType: unsupported job type \"Flink.Jar\": expected flink.jar or flink.sql",
        ),
        (json!(1), "meta.json: jobType: must be a string"),
        (json!(""), "meta.json: jobType: must not be blank"),
        (Value::Null, "meta.json: jobType: required"),
    ] {
        let mut meta = jar_meta(json!(null));
        meta["jobType"] = given;
        assert_eq!(errors(meta), vec![want]);
    }
    let mut meta = jar_meta(json!(null));
    meta.as_object_mut().expect("object").remove("jobType");
    assert_eq!(errors(meta), vec!["meta.json: jobType: required"]);
}

#[test]
fn job_type_names() {
    assert_eq!(JobType::parse("flink.jar"), Some(JobType::FlinkJar));
    assert_eq!(JobType::parse("flink.sql"), Some(JobType::FlinkSql));
    assert_eq!(JobType::parse(" flink.sql"), None);
    assert_eq!(JobType::FlinkSql.to_string(), "flink.sql");
    assert_eq!(
        serde_json::to_value(JobType::FlinkJar).ok(),
        Some(json!("flink.jar"))
    );
}

#[test]
fn job_name_is_required_and_trimmed() {
    let mut meta = jar_meta(json!(null));
    meta.as_object_mut().expect("object").remove("jobName");
    assert_eq!(errors(meta), vec!["meta.json: jobName: required"]);
    let mut meta = jar_meta(json!(null));
    meta["jobName"] = json!("   ");
    assert_eq!(errors(meta), vec!["meta.json: jobName: must not be blank"]);
    let mut meta = jar_meta(json!(null));
    meta["jobName"] = json!(["x"]);
    assert_eq!(errors(meta), vec!["meta.json: jobName: must be a string"]);
    let mut meta = jar_meta(json!(null));
    meta["jobName"] = json!("  orders  ");
    meta["projectName"] = json!("  shop ");
    let spec = parse(meta).spec;
    assert_eq!(spec.job_name, "orders");
    assert_eq!(spec.project_name.as_deref(), Some("shop"));
}

#[test]
fn project_name_may_be_left_to_the_upload() {
    for given in [Value::Null, json!(""), json!("  ")] {
        let mut meta = jar_meta(json!(null));
        meta["projectName"] = given;
        assert_eq!(parse(meta).spec.project_name, None);
    }
    let mut meta = jar_meta(json!(null));
    meta["projectName"] = json!(7);
    assert_eq!(
        errors(meta),
        vec!["meta.json: projectName: must be a string"]
    );
}

#[test]
fn description_comment_and_workspace() {
    let mut meta = jar_meta(json!(null));
    meta["description"] = json!("Orders pipeline");
    meta["comment"] = json!("fix late events");
    meta["workspaceName"] = json!("bdp");
    let spec = parse(meta).spec;
    assert_eq!(spec.description.as_deref(), Some("Orders pipeline"));
    assert_eq!(spec.comment.as_deref(), Some("fix late events"));
    assert_eq!(spec.streamis.workspace_name.as_deref(), Some("bdp"));
    let mut meta = jar_meta(json!(null));
    meta["description"] = json!({"a": 1});
    assert_eq!(
        errors(meta),
        vec!["meta.json: description: must be a string"]
    );
}

#[test]
fn unknown_top_level_keys_are_warned_not_dropped_silently() {
    let mut meta = jar_meta(json!(null));
    meta["owner"] = json!("me");
    meta["metaInfo"] = json!("{}");
    let parsed = parse(meta);
    assert!(has_warning(&parsed, "owner", "unknown key; ignored"));
    assert!(has_warning(
        &parsed,
        "metaInfo",
        "Streamis computes metaInfo itself"
    ));
}

#[test]
fn root_must_be_an_object() {
    assert_eq!(
        errors(json!([1, 2])),
        vec!["meta.json: must be a JSON object"]
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let err = parse_meta_value(&json!({
        "jobType": "flink.jar",
        "tags": "a b",
        "jobContent": {"args": "--x"},
        "jobConfig": {"wds.linkis.flink.resource": {"wds.linkis.flink.app.parallelism": "0"}}
    }))
    .expect_err("invalid");
    let lines: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "meta.json: jobName: required".to_owned(),
            "meta.json: tags: only letters, digits, _ . and , are allowed (' ' given)".to_owned(),
            "meta.json: jobContent.main.class.jar: required for jobType flink.jar".to_owned(),
            "meta.json: jobContent.main.class: required for jobType flink.jar".to_owned(),
            "meta.json: jobContent.args: must be a list of strings".to_owned(),
            format!(
                "meta.json: {RES}.wds.linkis.flink.app.parallelism: must be a whole number from 1 to 100 (\"0\" given)"
            ),
        ]
    );
    assert_eq!(err.to_string(), lines.join("; "));
}

// ---- Tags ---------------------------------------------------------------------------------

#[test]
fn tags_follow_streamis_label_rule() {
    assert_eq!(parse_tags(""), Ok(vec![]));
    assert_eq!(parse_tags("prod"), Ok(vec!["prod".to_owned()]));
    assert_eq!(
        parse_tags("prod,v1.2,team_a"),
        Ok(vec![
            "prod".to_owned(),
            "v1.2".to_owned(),
            "team_a".to_owned()
        ])
    );
    assert_eq!(
        parse_tags("a,,b,"),
        Ok(vec!["a".to_owned(), "b".to_owned()])
    );
    let max = "a".repeat(64);
    assert_eq!(parse_tags(&max), Ok(vec![max.clone()]));
    assert_eq!(
        parse_tags(&"a".repeat(65)),
        Err("at most 64 characters in all (65 given)".to_owned())
    );
    for (bad, ch) in [
        ("a b", ' '),
        ("a-b", '-'),
        ("标签", '标'),
        ("a;b", ';'),
        ("a/b", '/'),
    ] {
        assert_eq!(
            parse_tags(bad),
            Err(format!(
                "only letters, digits, _ . and , are allowed ({ch:?} given)"
            )),
            "{bad}"
        );
    }
}

#[test]
fn tags_as_string_or_list() {
    let mut meta = jar_meta(json!(null));
    meta["tags"] = json!(["prod", "orders"]);
    assert_eq!(parse(meta).spec.tags, vec!["prod", "orders"]);
    let mut meta = jar_meta(json!(null));
    meta["tags"] = json!("prod,orders");
    assert_eq!(parse(meta).spec.tags, vec!["prod", "orders"]);
    let mut meta = jar_meta(json!(null));
    meta["tags"] = Value::Null;
    assert!(parse(meta).spec.tags.is_empty());
    // A list is one label to Streamis: the 64-character limit applies to it joined.
    let mut meta = jar_meta(json!(null));
    meta["tags"] = json!(["a".repeat(32), "b".repeat(32)]);
    assert_eq!(
        errors(meta),
        vec!["meta.json: tags: at most 64 characters in all (65 given)"]
    );
    let mut meta = jar_meta(json!(null));
    meta["tags"] = json!(["ok", 3]);
    assert_eq!(errors(meta), vec!["meta.json: tags[1]: must be a string"]);
    let mut meta = jar_meta(json!(null));
    meta["tags"] = json!(12);
    assert_eq!(
        errors(meta),
        vec!["meta.json: tags: must be a comma-separated string or a list of strings"]
    );
}

// ---- jobContent ---------------------------------------------------------------------------

#[test]
fn job_content_is_required_non_empty_object() {
    for (given, want) in [
        (Value::Null, "meta.json: jobContent: required"),
        (json!({}), "meta.json: jobContent: must not be empty"),
        (json!("x"), "meta.json: jobContent: must be a JSON object"),
    ] {
        let mut meta = jar_meta(json!(null));
        meta["jobContent"] = given;
        assert_eq!(errors(meta), vec![want]);
    }
}

#[test]
fn flink_jar_requires_jar_and_entry_class() {
    let mut meta = jar_meta(json!(null));
    meta["jobContent"] = json!({"main.class.jar": "app.jar"});
    assert_eq!(
        errors(meta),
        vec!["meta.json: jobContent.main.class: required for jobType flink.jar"]
    );
    let mut meta = jar_meta(json!(null));
    meta["jobContent"] = json!({"main.class": "a.B", "main.class.jar": " "});
    assert_eq!(
        errors(meta),
        vec!["meta.json: jobContent.main.class.jar: must not be blank"]
    );
}

#[test]
fn flink_jar_lists() {
    let mut meta = jar_meta(json!(null));
    meta["jobContent"] = json!({
        "main.class.jar": "app.jar", "main.class": "a.B",
        "args": ["--in", "", "  x "],
        "hdfs.jars": ["hdfs:///lib/a.jar", ""],
        "dependency.jars": ["dep.jar", "  "],
        "resources": ["log4j.properties"]
    });
    let spec = parse(meta).spec;
    assert_eq!(
        spec.program_args,
        vec!["--in", "", "  x "],
        "args are kept as written"
    );
    assert_eq!(spec.hdfs_jars, vec!["hdfs:///lib/a.jar"]);
    assert_eq!(spec.dependency_jars, vec!["dep.jar"]);
    assert_eq!(spec.resources, vec!["log4j.properties"]);

    let mut meta = jar_meta(json!(null));
    meta["jobContent"] = json!({
        "main.class.jar": "app.jar", "main.class": "a.B",
        "args": ["--port", 8080], "resources": "log4j.properties"
    });
    assert_eq!(
        errors(meta),
        vec![
            "meta.json: jobContent.args[1]: must be a string",
            "meta.json: jobContent.resources: must be a list of strings",
        ]
    );
}

#[test]
fn unknown_job_content_keys_are_warned() {
    let mut meta = jar_meta(json!(null));
    meta["jobContent"]["sql"] = json!("select 1");
    let parsed = parse(meta);
    assert!(has_warning(
        &parsed,
        "jobContent.sql",
        "unknown key for jobType flink.jar; ignored"
    ));
}

fn sql_meta(content: Value) -> Value {
    json!({"jobName": "q", "jobType": "flink.sql", "jobContent": content,
           "jobConfig": {"wds.linkis.flink.produce": alerting()}})
}

#[test]
fn flink_sql_inline_and_file() {
    let parsed = parse(sql_meta(
        json!({"type": "sql", "sql": "SELECT 1;\nSELECT 2;"}),
    ));
    assert_eq!(
        parsed.spec.sql,
        Some(SqlSource::Inline {
            sql: "SELECT 1;\nSELECT 2;".into()
        })
    );
    let parsed = parse(sql_meta(json!({"type": "file", "file": " job.sql "})));
    assert_eq!(
        parsed.spec.sql,
        Some(SqlSource::File {
            file: "job.sql".into()
        })
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn flink_sql_type_rules() {
    let cases = [
        (
            json!({"sql": "select 1"}),
            "meta.json: jobContent.type: required for jobType flink.sql: sql (statements in jobContent.sql) or file (a file of the package named by jobContent.file)",
        ),
        (
            json!({"type": "bml", "resourceId": "r", "version": "v1"}),
            "meta.json: jobContent.type: bml (a Linkis BML resource) is not supported: put the statements in jobContent.sql (type sql) or in a file of the package (type file)",
        ),
        (
            json!({"type": "SQL", "sql": "select 1"}),
            "meta.json: jobContent.type: unsupported type \"SQL\": expected sql or file",
        ),
        (
            json!({"type": "sql"}),
            "meta.json: jobContent.sql: required when jobContent.type is sql",
        ),
        (
            json!({"type": "sql", "sql": "  "}),
            "meta.json: jobContent.sql: must not be blank",
        ),
        (
            json!({"type": "sql", "sql": ["select 1"]}),
            "meta.json: jobContent.sql: must be a string",
        ),
        (
            json!({"type": "file"}),
            "meta.json: jobContent.file: required when jobContent.type is file",
        ),
        (
            json!({"type": "file", "file": ""}),
            "meta.json: jobContent.file: must not be blank",
        ),
    ];
    for (content, want) in cases {
        assert_eq!(errors(sql_meta(content.clone())), vec![want], "{content}");
    }
}

#[test]
fn flink_sql_warns_about_fields_its_type_does_not_use() {
    let parsed = parse(sql_meta(
        json!({"type": "sql", "sql": "select 1", "file": "other.sql"}),
    ));
    assert!(has_warning(
        &parsed,
        "jobContent.file",
        "ignored: jobContent.type is sql"
    ));
    let parsed = parse(sql_meta(
        json!({"type": "file", "file": "a.sql", "sql": "select 1"}),
    ));
    assert!(has_warning(
        &parsed,
        "jobContent.sql",
        "ignored: jobContent.type is file"
    ));
    let parsed = parse(sql_meta(
        json!({"type": "sql", "sql": "select 1", "main.class": "x"}),
    ));
    assert!(has_warning(
        &parsed,
        "jobContent.main.class",
        "unknown key for jobType flink.sql"
    ));
}

// ---- jobConfig: resources -----------------------------------------------------------------

#[test]
fn resources_translate_to_flink_keys() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.resource": {
            "wds.linkis.flink.app.parallelism": 8,
            "wds.linkis.flink.jobmanager.memory": "1536",
            "wds.linkis.flink.taskmanager.memory": 100000,
            "wds.linkis.flink.taskmanager.numberOfTaskSlots": "4",
            "wds.linkis.flink.taskmanager.cpus": "3",
            "wds.linkis.rm.yarnqueue": "root.streaming",
            "flink.client.memory": "2048"
        },
        "wds.linkis.flink.produce": alerting()
    })));
    let spec = parsed.spec;
    assert_eq!(
        (
            spec.parallelism,
            spec.jobmanager_memory_mb,
            spec.taskmanager_memory_mb
        ),
        (8, 1536, 100_000)
    );
    assert_eq!((spec.taskmanager_slots, spec.taskmanager_cpus), (4, 3));
    assert_eq!(spec.streamis.client_memory_mb, Some(2048));
    assert_eq!(
        spec.flink_configuration,
        BTreeMap::from([
            (
                "jobmanager.memory.process.size".to_owned(),
                "1536m".to_owned()
            ),
            ("parallelism.default".to_owned(), "8".to_owned()),
            ("taskmanager.cpu.cores".to_owned(), "3".to_owned()),
            (
                "taskmanager.memory.process.size".to_owned(),
                "100000m".to_owned()
            ),
            ("taskmanager.numberOfTaskSlots".to_owned(), "4".to_owned()),
            (
                "yarn.application.queue".to_owned(),
                "root.streaming".to_owned()
            ),
        ])
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn empty_resource_values_take_defaults() {
    // The handbook's template leaves every value empty.
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.resource": {
            "wds.linkis.flink.app.parallelism": "",
            "wds.linkis.flink.jobmanager.memory": "",
            "wds.linkis.flink.taskmanager.memory": null,
            "wds.linkis.flink.taskmanager.numberOfTaskSlots": "",
            "wds.linkis.flink.taskmanager.cpus": "",
            "wds.linkis.rm.yarnqueue": "",
            "flink.client.memory": ""
        }
    })))
    .spec;
    assert_eq!(spec.parallelism, 4);
    assert_eq!(spec.jobmanager_memory_mb, 1024);
    assert_eq!(spec.taskmanager_memory_mb, 4096);
    assert_eq!(spec.taskmanager_slots, 2);
    assert_eq!(spec.taskmanager_cpus, 2);
    assert_eq!(spec.yarn_queue, None);
    assert_eq!(spec.streamis.client_memory_mb, None);
    assert!(
        !spec
            .flink_configuration
            .contains_key("yarn.application.queue")
    );
}

#[test]
fn resource_values_out_of_range_are_errors() {
    let cases = [
        ("wds.linkis.flink.app.parallelism", json!("0"), 100),
        ("wds.linkis.flink.app.parallelism", json!(101), 100),
        ("wds.linkis.flink.app.parallelism", json!("abc"), 100),
        ("wds.linkis.flink.app.parallelism", json!("4.5"), 100),
        ("wds.linkis.flink.app.parallelism", json!(-1), 100),
        ("wds.linkis.flink.app.parallelism", json!("+4"), 100),
        (
            "wds.linkis.flink.jobmanager.memory",
            json!("100001"),
            100_000,
        ),
        ("wds.linkis.flink.taskmanager.memory", json!("4g"), 100_000),
        (
            "wds.linkis.flink.taskmanager.numberOfTaskSlots",
            json!(true),
            100,
        ),
        (
            "wds.linkis.flink.taskmanager.cpus",
            json!("99999999999"),
            100,
        ),
        ("flink.client.memory", json!("1G"), 100_000),
    ];
    for (key, value, max) in cases {
        let given = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let meta = jar_meta(json!({"wds.linkis.flink.resource": {key: value}}));
        assert_eq!(
            errors(meta),
            vec![format!(
                "meta.json: {RES}.{key}: must be a whole number from 1 to {max} ({given:?} given)"
            )],
            "{key}"
        );
    }
    let meta =
        jar_meta(json!({"wds.linkis.flink.resource": {"wds.linkis.flink.app.parallelism": [4]}}));
    assert_eq!(
        errors(meta),
        vec![format!(
            "meta.json: {RES}.wds.linkis.flink.app.parallelism: must be a string, number or boolean"
        )]
    );
}

#[test]
fn range_bounds_are_inclusive() {
    let spec = parse(jar_meta(json!({"wds.linkis.flink.resource": {
        "wds.linkis.flink.app.parallelism": "100",
        "wds.linkis.flink.taskmanager.numberOfTaskSlots": "1",
        "wds.linkis.flink.jobmanager.memory": "1"
    }})))
    .spec;
    assert_eq!(spec.parallelism, 100);
    assert_eq!(spec.taskmanager_slots, 1);
    assert_eq!(spec.jobmanager_memory_mb, 1);
}

#[test]
fn unknown_and_misplaced_resource_keys_are_warned() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.resource": {
            "wds.linkis.flink.taskmanager.num": "4",
            "wds.linkis.flink.app.fail-restart.switch": "ON"
        }
    })));
    assert!(has_warning(
        &parsed,
        &format!("{RES}.wds.linkis.flink.taskmanager.num"),
        "unknown key in group wds.linkis.flink.resource; ignored"
    ));
    assert!(has_warning(
        &parsed,
        &format!("{RES}.wds.linkis.flink.app.fail-restart.switch"),
        "belongs in jobConfig.wds.linkis.flink.produce; ignored here"
    ));
    assert!(!parsed.spec.fail_restart, "a misplaced key has no effect");
    assert!(
        !parsed
            .spec
            .flink_configuration
            .contains_key("wds.linkis.flink.taskmanager.num")
    );
}

// ---- jobConfig: custom --------------------------------------------------------------------

#[test]
fn custom_keys_pass_through_and_are_never_unknown() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.custom": {
            "xyz.anything": "1",
            "pipeline.max-parallelism": 128,
            "execution.checkpointing.unaligned.enabled": true
        },
        "wds.linkis.flink.produce": alerting()
    })));
    let flink = &parsed.spec.flink_configuration;
    assert_eq!(flink["xyz.anything"], "1");
    assert_eq!(flink["pipeline.max-parallelism"], "128");
    assert_eq!(flink["execution.checkpointing.unaligned.enabled"], "true");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn custom_overrides_translated_keys_with_a_warning() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.resource": {"wds.linkis.flink.app.parallelism": "2"},
        "wds.linkis.flink.custom": {"parallelism.default": "6", "taskmanager.cpu.cores": "2"},
        "wds.linkis.flink.produce": alerting()
    })));
    assert_eq!(parsed.spec.flink_configuration["parallelism.default"], "6");
    assert_eq!(
        parsed.spec.parallelism, 2,
        "the typed field keeps the resource value"
    );
    assert_eq!(
        warnings(&parsed),
        vec![format!(
            "meta.json: {CUSTOM}.parallelism.default: overrides parallelism.default=2 set by {RES}.wds.linkis.flink.app.parallelism"
        )],
        "the same value (cpu cores 2) is not a clash"
    );
}

#[test]
fn custom_values_must_be_scalars() {
    let meta = jar_meta(json!({"wds.linkis.flink.custom": {"a.b": {"c": 1}}}));
    assert_eq!(
        errors(meta),
        vec![format!(
            "meta.json: {CUSTOM}.a.b: must be a string, number or boolean"
        )]
    );
}

#[test]
fn directories_come_from_the_flink_configuration() {
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.custom": {
            "state.checkpoints.dir": "hdfs:///flink/ck",
            "state.savepoints.dir": "file:///flink/sp"
        }
    })))
    .spec;
    assert_eq!(spec.checkpoint_dir.as_deref(), Some("hdfs:///flink/ck"));
    assert_eq!(spec.savepoint_dir.as_deref(), Some("file:///flink/sp"));
    // Flink 2 names win over the 1.x ones.
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.custom": {
            "state.checkpoints.dir": "/old/ck",
            "execution.checkpointing.dir": "/new/ck",
            "state.savepoints.dir": "/old/sp",
            "execution.checkpointing.savepoint-dir": "/new/sp"
        }
    })))
    .spec;
    assert_eq!(spec.checkpoint_dir.as_deref(), Some("/new/ck"));
    assert_eq!(spec.savepoint_dir.as_deref(), Some("/new/sp"));
    let spec = parse(jar_meta(json!(null))).spec;
    assert_eq!((spec.checkpoint_dir, spec.savepoint_dir), (None, None));
}

// ---- jobConfig: produce -------------------------------------------------------------------

#[test]
fn switches_map_to_booleans() {
    let spec = parse(jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.checkpoint.switch": "ON",
        "wds.linkis.flink.checkpoint.interval": "60000",
        "wds.linkis.flink.app.fail-restart.switch": "ON",
        "wds.linkis.flink.app.start-auto-restore.switch": "ON",
        "wds.linkis.flink.alert.failure.user": "ops"
    }})))
    .spec;
    assert!(spec.checkpointing && spec.fail_restart && spec.auto_restore);
    let spec = parse(jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.checkpoint.switch": "OFF",
        "wds.linkis.flink.app.fail-restart.switch": "OFF",
        "wds.linkis.flink.app.start-auto-restore.switch": "OFF"
    }})))
    .spec;
    assert!(!spec.checkpointing && !spec.fail_restart && !spec.auto_restore);
}

#[test]
fn non_canonical_switch_values_are_read_with_a_warning() {
    for (given, on) in [
        (json!("on"), true),
        (json!(true), true),
        (json!("Off"), false),
        (json!(false), false),
    ] {
        let parsed = parse(jar_meta(json!({"wds.linkis.flink.produce": {
            "wds.linkis.flink.app.fail-restart.switch": given.clone(),
            "wds.linkis.flink.alert.failure.user": "ops"
        }})));
        assert_eq!(parsed.spec.fail_restart, on, "{given}");
        assert_eq!(
            warnings(&parsed),
            vec![format!(
                "meta.json: {PROD}.wds.linkis.flink.app.fail-restart.switch: read as {}; write ON or OFF: Streamis reads any value but ON as OFF",
                if on { "ON" } else { "OFF" }
            )]
        );
    }
    let meta = jar_meta(
        json!({"wds.linkis.flink.produce": {"wds.linkis.flink.app.start-auto-restore.switch": "maybe"}}),
    );
    assert_eq!(
        errors(meta),
        vec![format!(
            "meta.json: {PROD}.wds.linkis.flink.app.start-auto-restore.switch: must be ON or OFF (\"maybe\" given)"
        )]
    );
}

#[test]
fn checkpoint_options_map_to_execution_checkpointing() {
    let parsed = parse(jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.checkpoint.switch": "ON",
        "wds.linkis.flink.checkpoint.interval": "30 s",
        "wds.linkis.flink.checkpoint.mode": "EXACTLY_ONCE",
        "wds.linkis.flink.checkpoint.timeout": "10 min",
        "wds.linkis.flink.alert.failure.user": "ops"
    }})));
    let spec = &parsed.spec;
    assert_eq!(spec.checkpoint_interval_ms, Some(30_000));
    assert_eq!(
        spec.flink_configuration["execution.checkpointing.interval"],
        "30 s"
    );
    assert_eq!(
        spec.flink_configuration["execution.checkpointing.mode"],
        "EXACTLY_ONCE"
    );
    assert_eq!(
        spec.flink_configuration["execution.checkpointing.timeout"],
        "10 min"
    );
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn checkpoint_options_are_ignored_when_the_switch_is_off() {
    let parsed = parse(jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.checkpoint.interval": "60000",
        "wds.linkis.flink.alert.failure.user": "ops"
    }})));
    assert!(!parsed.spec.checkpointing);
    assert_eq!(parsed.spec.checkpoint_interval_ms, None);
    assert!(
        !parsed
            .spec
            .flink_configuration
            .contains_key("execution.checkpointing.interval")
    );
    assert_eq!(
        warnings(&parsed),
        vec![format!(
            "meta.json: {PROD}.wds.linkis.flink.checkpoint.interval: ignored: the checkpoint switch is OFF"
        )]
    );
}

#[test]
fn a_bad_checkpoint_interval_is_an_error() {
    for bad in ["soon", "0", "-5", "10 fortnights", ""] {
        let meta = jar_meta(json!({"wds.linkis.flink.produce": {
            "wds.linkis.flink.checkpoint.switch": "ON",
            "wds.linkis.flink.checkpoint.interval": bad
        }}));
        if bad.is_empty() {
            // Empty means not given.
            let parsed = parse(meta);
            assert_eq!(parsed.spec.checkpoint_interval_ms, None);
            continue;
        }
        assert_eq!(
            errors(meta),
            vec![format!(
                "meta.json: {PROD}.wds.linkis.flink.checkpoint.interval: must be a positive Flink duration such as 60000, 30 s or 5 min ({bad:?} given)"
            )],
            "{bad}"
        );
    }
}

#[test]
fn checkpoint_interval_from_the_custom_group() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {"wds.linkis.flink.checkpoint.switch": "ON", "wds.linkis.flink.alert.failure.user": "ops"},
        "wds.linkis.flink.custom": {"execution.checkpointing.interval": "2 min"}
    })));
    assert_eq!(parsed.spec.checkpoint_interval_ms, Some(120_000));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);

    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {"wds.linkis.flink.checkpoint.switch": "ON", "wds.linkis.flink.alert.failure.user": "ops"},
        "wds.linkis.flink.custom": {"execution.checkpointing.interval": "often"}
    })));
    assert_eq!(parsed.spec.checkpoint_interval_ms, None);
    assert!(has_warning(
        &parsed,
        &format!("{CUSTOM}.execution.checkpointing.interval"),
        "\"often\" is not a Flink duration"
    ));

    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.produce": alerting(),
        "wds.linkis.flink.custom": {"execution.checkpointing.interval": "1 min"}
    })));
    assert!(!parsed.spec.checkpointing);
    assert_eq!(parsed.spec.checkpoint_interval_ms, None);
    assert!(has_warning(
        &parsed,
        &format!("{CUSTOM}.execution.checkpointing.interval"),
        "while the checkpoint switch is OFF: Flink will checkpoint anyway"
    ));
}

#[test]
fn savepoint_options() {
    let parsed = parse(jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.savepoint.path": " hdfs:///sp/savepoint-1 ",
        "wds.linkis.flink.savepoint.ignore-unclaimed-state": "true",
        "wds.linkis.flink.alert.failure.user": "ops"
    }})));
    let spec = &parsed.spec;
    assert_eq!(
        spec.restore_savepoint.as_deref(),
        Some("hdfs:///sp/savepoint-1")
    );
    assert!(
        !spec
            .flink_configuration
            .contains_key("execution.savepoint.path"),
        "the launcher sets the path from the chosen restore point"
    );
    assert_eq!(
        spec.flink_configuration["execution.savepoint.ignore-unclaimed-state"],
        "true"
    );
    let spec = parse(jar_meta(
        json!({"wds.linkis.flink.produce": {"wds.linkis.flink.savepoint.path": ""}}),
    ))
    .spec;
    assert_eq!(spec.restore_savepoint, None);
}

#[test]
fn alert_recipients_are_split_trimmed_and_deduplicated() {
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "gelxiogong, alexyang,,gelxiogong"},
        "wds.linkis.flink.alert": {"wds.linkis.flink.alert.failure.user": "alexyang,oncall"}
    })))
    .spec;
    assert_eq!(
        spec.alert_recipients,
        vec!["gelxiogong", "alexyang", "oncall"]
    );
}

#[test]
fn streamis_only_settings_are_kept_and_checked() {
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {
            "wds.linkis.flink.alert.failure.user": "ops",
            "wds.linkis.flink.alert.level": "major",
            "linkis.ec.app.manage.mode": "ATTACH",
            "wds.streamis.app.highavailable.policy": "doublewithbak",
            "wds.linkis.flink.product": "testRestart"
        },
        "wds.linkis.flink.authority": {"wds.linkis.flink.authority.visible": "alice, bob"}
    })))
    .spec;
    let s = &spec.streamis;
    assert_eq!(s.alert_level.as_deref(), Some("MAJOR"));
    assert_eq!(s.manage_mode.as_deref(), Some("attach"));
    assert_eq!(s.ha_policy.as_deref(), Some("doubleWithBak"));
    assert_eq!(s.product_name.as_deref(), Some("testRestart"));
    assert_eq!(s.visible_users, vec!["alice", "bob"]);
    assert!(
        !spec
            .flink_configuration
            .keys()
            .any(|k| k.contains("linkis") || k.contains("streamis"))
    );

    let bad = jar_meta(json!({"wds.linkis.flink.produce": {
        "wds.linkis.flink.alert.level": "LOUD",
        "linkis.ec.app.manage.mode": "remote",
        "wds.streamis.app.highavailable.policy": "triple",
        "wds.linkis.flink.product": "my-product"
    }}));
    // Keys of one group are read in the order the JSON map keeps them: compare sorted.
    let mut reported = errors(bad);
    reported.sort();
    assert_eq!(
        reported,
        vec![
            format!(
                "meta.json: {PROD}.linkis.ec.app.manage.mode: must be one of detach, attach (\"remote\" given)"
            ),
            format!(
                "meta.json: {PROD}.wds.linkis.flink.alert.level: must be one of CRITICAL, MAJOR, MINOR, WARNING, INFO (\"LOUD\" given)"
            ),
            format!(
                "meta.json: {PROD}.wds.linkis.flink.product: only letters, digits and _ are allowed (\"my-product\" given)"
            ),
            format!(
                "meta.json: {PROD}.wds.streamis.app.highavailable.policy: must be one of single, singleWithBak, double, doubleWithBak, managerSlave, managerSlaveWithBak (\"triple\" given)"
            ),
        ]
    );
}

#[test]
fn alert_level_in_the_alert_group_is_a_fallback() {
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops", "wds.linkis.flink.alert.level": "CRITICAL"},
        "wds.linkis.flink.alert": {"wds.linkis.flink.alert.level": "INFO"}
    })))
    .spec;
    assert_eq!(spec.streamis.alert_level.as_deref(), Some("CRITICAL"));
    let spec = parse(jar_meta(json!({
        "wds.linkis.flink.produce": alerting(),
        "wds.linkis.flink.alert": {"wds.linkis.flink.alert.level": "INFO"}
    })))
    .spec;
    assert_eq!(spec.streamis.alert_level.as_deref(), Some("INFO"));
}

#[test]
fn unknown_keys_in_known_groups_are_warned() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.produce": {
            "wds.linkis.flink.alert.failure.user": "ops",
            "wds.linkis.flink.reboot.strategy": "none",
            "wds.linkis.flink.authority.visible": "alice"
        },
        "wds.linkis.flink.authority": {"wds.linkis.flink.authority.author": "private"},
        "wds.linkis.flink.alert": {"wds.linkis.flink.alert.rule": "ERROR"}
    })));
    assert_eq!(
        warnings(&parsed),
        vec![
            "meta.json: jobConfig.wds.linkis.flink.alert.wds.linkis.flink.alert.rule: unknown key in group wds.linkis.flink.alert; ignored".to_owned(),
            "meta.json: jobConfig.wds.linkis.flink.authority.wds.linkis.flink.authority.author: unknown key in group wds.linkis.flink.authority; ignored".to_owned(),
            format!("meta.json: {PROD}.wds.linkis.flink.authority.visible: belongs in jobConfig.wds.linkis.flink.authority; ignored here"),
            format!("meta.json: {PROD}.wds.linkis.flink.reboot.strategy: unknown key in group wds.linkis.flink.produce; ignored"),
        ]
    );
    assert!(parsed.spec.streamis.visible_users.is_empty());
}

#[test]
fn unknown_groups_are_warned() {
    let parsed = parse(jar_meta(json!({
        "wds.linkis.flink.produce": alerting(),
        "wds.linkis.flink.extra": {"a": "b"},
        "wds.linkis.flink.savepoint.path": "/sp/savepoint-1"
    })));
    assert_eq!(
        warnings(&parsed),
        vec![
            "meta.json: jobConfig.wds.linkis.flink.extra: unknown group; ignored",
            "meta.json: jobConfig.wds.linkis.flink.savepoint.path: belongs in jobConfig.wds.linkis.flink.produce; ignored here",
        ]
    );
    assert_eq!(parsed.spec.restore_savepoint, None);
}

#[test]
fn job_config_and_groups_must_be_objects() {
    assert_eq!(
        errors(jar_meta(json!("x"))),
        vec!["meta.json: jobConfig: must be a JSON object"]
    );
    assert_eq!(
        errors(jar_meta(json!({"wds.linkis.flink.produce": ["ON"]}))),
        vec![format!("meta.json: {PROD}: must be a JSON object")]
    );
    // A null group is an absent group.
    let spec = parse(jar_meta(json!({"wds.linkis.flink.resource": null}))).spec;
    assert_eq!(spec.parallelism, 4);
}

#[test]
fn warns_when_no_one_is_alerted() {
    let parsed = parse(jar_meta(
        json!({"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": " , "}}),
    ));
    assert!(parsed.spec.alert_recipients.is_empty());
    assert!(has_warning(
        &parsed,
        &format!("{PROD}.wds.linkis.flink.alert.failure.user"),
        "no one is alerted"
    ));
}

// ---- Reading bytes ------------------------------------------------------------------------

#[test]
fn reads_utf8_json_with_or_without_bom() {
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), MANUAL_JAR.as_bytes()].concat();
    let parsed = parse_meta_json(&with_bom).expect("a BOM is skipped");
    assert_eq!(parsed.spec.job_name, "flinkJarTestc");
}

#[test]
fn unreadable_bytes_are_errors_on_the_whole_file() {
    let err = parse_meta_json(b"{\"jobName\": \"\xFF\"}").expect_err("invalid UTF-8");
    assert_eq!(
        err.to_string(),
        "meta.json: not UTF-8 text (invalid byte at offset 13)"
    );
    let err = parse_meta_json(b"{\"jobName\": \"a\",}").expect_err("trailing comma");
    assert!(
        err.to_string()
            .starts_with("meta.json: not valid JSON: trailing comma at line 1"),
        "{err}"
    );
    // The handbook's commented template is not JSON.
    let err = parse_meta_json(b"{\n  \"projectName\": \"\", // name\n}").expect_err("comment");
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(err.errors[0].path, "");
}

// ---- Durations ----------------------------------------------------------------------------

#[test]
fn flink_durations() {
    let cases = [
        ("60000", Some(60_000)),
        ("500 ms", Some(500)),
        ("30s", Some(30_000)),
        ("30 sec", Some(30_000)),
        ("2 seconds", Some(2_000)),
        ("5 min", Some(300_000)),
        ("5m", Some(300_000)),
        ("1 minute", Some(60_000)),
        ("1h", Some(3_600_000)),
        ("2 hours", Some(7_200_000)),
        ("1 d", Some(86_400_000)),
        (" 10 S ", Some(10_000)),
        ("0", Some(0)),
        ("", None),
        ("s", None),
        ("1.5 s", None),
        ("-1", None),
        ("5 weeks", None),
        ("18446744073709551615 d", None),
    ];
    for (text, want) in cases {
        assert_eq!(parse_flink_duration_ms(text), want, "{text:?}");
    }
}

// ---- Serialisation ------------------------------------------------------------------------

#[test]
fn job_spec_round_trips_through_json() {
    let spec = parse_meta_json(SEED_002_JAR.as_bytes())
        .expect("valid")
        .spec;
    let json = serde_json::to_value(&spec).expect("json");
    assert_eq!(json["job_type"], "flink.jar");
    let back: JobSpec = serde_json::from_value(json).expect("back");
    assert_eq!(back, spec);
    let sql = serde_json::to_value(SqlSource::Inline {
        sql: "select 1".into(),
    })
    .expect("json");
    assert_eq!(sql, json!({"type": "sql", "sql": "select 1"}));
}

#[test]
fn warnings_are_sorted_whatever_the_key_order() {
    let a = parse(jar_meta(
        json!({"zzz": {}, "aaa": {}, "wds.linkis.flink.produce": alerting()}),
    ));
    let paths: Vec<&str> = a.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(paths, vec!["jobConfig.aaa", "jobConfig.zzz"]);
}
