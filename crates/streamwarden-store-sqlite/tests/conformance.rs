//! The SQLite backend passes the store's conformance story, in a file database like production.

use streamwarden_store_sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_backend_passes_the_conformance_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("streamwarden.db");
    let store = SqliteStore::open(&path).await.expect("open");
    streamwarden_store::conformance::run(&store).await;
}

#[tokio::test]
async fn reopening_a_database_keeps_its_data_and_reapplies_no_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("streamwarden.db");
    {
        let store = SqliteStore::open(&path).await.expect("open");
        use streamwarden_store::Store;
        store
            .register_cluster("local", "http://127.0.0.1:8081")
            .await
            .expect("register");
        store.close().await;
    }
    let store = SqliteStore::open(&path).await.expect("reopen");
    use streamwarden_store::Store;
    let view = store.load_cluster("local").await.expect("load");
    assert_eq!(
        view.map(|v| v.url),
        Some("http://127.0.0.1:8081".to_string())
    );
}

#[tokio::test]
async fn opening_a_path_in_a_missing_directory_names_the_path() {
    let err = SqliteStore::open(std::path::Path::new("/nonexistent-dir/x/streamwarden.db"))
        .await
        .expect_err("must fail");
    assert!(
        err.to_string()
            .contains("/nonexistent-dir/x/streamwarden.db"),
        "{err}"
    );
}
