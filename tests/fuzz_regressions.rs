//! Every input the fuzzers (fuzz/) ever crashed on, replayed through the same
//! pipeline as the fuzz target that found it: load, resolve, render. A panic
//! fails the test. CI runs these, not the fuzzer.

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name() != "README.md")
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

use common::{document, site};

#[test]
fn fuzz_crashes_stay_fixed() {
    for (name, data) in inputs("document") {
        eprintln!("document/{name}");
        let _ = document(&data);
    }
    for (name, data) in inputs("site") {
        eprintln!("site/{name}");
        let _ = site(&data);
    }
}

#[test]
fn the_fuzz_pipeline_renders_a_valid_site() {
    // A control: the harness really renders, so a replay that "passes" means something.
    let provision = b"---\ntitle: P\norder: eo\nsummary: S\nagencies: [treasury]\n---\nBody [[treasury]] [@wh].\n";
    let mut data = vec![1u8];
    data.extend_from_slice(provision);
    let files = document(&data).expect("a valid provision renders");
    assert!(files > 20, "{files} files");
    assert_eq!(
        document(b"\x01---\ntitle: P\n---\n"),
        None,
        "an invalid one does not"
    );
}
