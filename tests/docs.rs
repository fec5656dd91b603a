//! The examples in docs/editing.md build: every code block marked
//! `file=PATH` is written into a new site, which must build without errors.

mod common;

use common::*;

#[test]
fn editing_guide_examples_build() {
    let guide = read(&repo_root().join("docs/editing.md"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("site.yaml"),
        "title: Docs examples\nbase_url: https://example.org/\nas_of: 2026-06-10\n",
    )
    .unwrap();
    let mut written = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line
            .strip_prefix("```")
            .and_then(|info| info.split(" file=").nth(1))
        else {
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let file = root.join(path.trim());
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, body.join("\n") + "\n").unwrap();
        written.push(path.trim().to_string());
    }
    assert!(written.len() >= 7, "examples found: {written:?}");
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(
        run.code, 0,
        "examples in docs/editing.md fail to build:\n{}",
        run.stderr
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let doc = html(&root.join("public/provisions/example-review/index.html"));
    let rows = texts(&doc, "table.deadlines tbody tr");
    assert!(
        rows[1].contains("within 60 days of 2026-07-02"),
        "{}",
        rows[1]
    );
}
