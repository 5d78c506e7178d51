//! The store as a user meets it from the command line: a damaged store file is refused
//! with what to do, said once, and left as it was.

use std::process::Command;

#[test]
fn serve_refuses_an_empty_store_file_once_and_leaves_it_untouched() {
    let dir = std::env::temp_dir().join(format!("stepline-cli-empty-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stepline.redb");
    std::fs::write(&file, b"").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stepline"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&dir)
        .output()
        .expect("stepline runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "serve must not start on an empty store file: {stderr}");
    assert_eq!(stderr.matches("is not a Stepline store").count(), 1, "said once: {stderr}");
    assert!(stderr.contains("the file is empty"), "{stderr}");
    assert!(stderr.contains("docs/storage.md"), "{stderr}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 0, "the file is left as it was");
    let _ = std::fs::remove_dir_all(&dir);
}
