//! The attacks and odd inputs of the hardening issue, one test each: what
//! once wrote outside the output folder, panicked, let a script into a page,
//! replaced a generated page, hung, leaked a file or printed a cascade of
//! false errors. Each builds a small site in a temp folder.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn provision(front: &str, body: &str) -> String {
    format!("---\ntitle: P\norder: eo\nsummary: S\n{front}---\n\n{body}\n")
}

// 1. Ids that become paths.

#[test]
fn version_ids_cannot_leave_the_output_folder() {
    let escape = std::env::temp_dir().join(format!("gazette-escape-{}", std::process::id()));
    let evil = format!("../../../../../../..{}", escape.display());
    for id in [evil.as_str(), "", "a/b", "A B", "%2e%2e", "Draft"] {
        let text = provision(
            &format!("versions:\n  - id: \"{id}\"\n    label: L\n    text: T\n"),
            "",
        );
        let (_tmp, root) = site(&[("content/provisions/p.md", &text)]);
        let e = errors(&root);
        assert_eq!(e.len(), 1, "{id:?}: {e:?}");
        assert!(e[0].starts_with("content/provisions/p.md:6:"), "{e:?}");
        assert!(e[0].contains("version id"), "{e:?}");
    }
    assert!(!escape.exists(), "nothing was written outside the site");
}

// 2. Numbers that once panicked.

#[test]
fn huge_day_counts_are_errors_not_panics() {
    for n in ["80000000", "9223372036854775807", "36526"] {
        let text = provision(
            &format!("agencies: [treasury]\ndeadlines:\n  - id: d\n    action: A\n    agency: treasury\n    due: {{ within_days: {n}, of: signing }}\n"),
            "",
        );
        let (_tmp, root) = site(&[("content/provisions/p.md", &text)]);
        let e = errors(&root);
        assert_eq!(e.len(), 1, "{n}: {e:?}");
        assert!(e[0].contains("within_days must be at most 36525"), "{e:?}");
    }
}

// 3. Scripts.

#[test]
fn script_addresses_in_fields_are_refused() {
    for url in [
        "javascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        " JAVASCRIPT:x",
    ] {
        let (_tmp, root) = site(&[(
            "content/agencies/cisa.md",
            &format!("---\ntitle: CISA\nurl: \"{url}\"\n---\n"),
        )]);
        let e = errors(&root);
        assert_eq!(
            e,
            ["content/agencies/cisa.md:3:6: error: `url` must be a web address starting with https:// or http://"],
            "{url}"
        );
    }
}

#[test]
fn markdown_cannot_carry_a_script_into_a_page() {
    let body = "<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and <iframe src=x></iframe>.\n\n<!-- unclosed\n\n</main>\n";
    let (_tmp, root) = site(&[(
        "content/pages/about.md",
        &format!("---\ntitle: About\n---\n\n{body}"),
    )]);
    let run = build(&root);
    assert_eq!(
        run.code, 0,
        "raw HTML is left out with a warning: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/pages/about.md:5:1: warning: raw HTML is left out of pages"),
        "{}",
        run.stderr
    );
    let page = read(&root.join("public/about/index.html"));
    for bad in ["alert(1)", "onerror", "<iframe", "<!-- unclosed"] {
        assert!(!page.contains(bad), "{bad} reached the page");
    }
    assert_eq!(page.matches("</main>").count(), 1);

    let links = "[a](javascript:alert(1)) <javascript:alert(2)> ![i](data:image/png;base64,AA) [b](JaVaScRiPt:x)\n\n## H {onclick=alert(3)}\n";
    let (_tmp, root) = site(&[(
        "content/pages/about.md",
        &format!("---\ntitle: About\n---\n\n{links}"),
    )]);
    let e = errors(&root);
    assert_eq!(e.len(), 5, "{e:?}");
    assert!(
        e.iter().all(|l| l.starts_with("content/pages/about.md:")),
        "{e:?}"
    );
    assert!(e[4].contains("a heading may carry only"), "{e:?}");
}

#[test]
fn version_text_is_markdown_under_the_same_rules() {
    let text = provision(
        "versions:\n  - id: v1\n    label: Draft\n    text: \"[x](javascript:alert(1)) <script>alert(1)</script>\"\n",
        "",
    );
    let (_tmp, root) = site(&[("content/provisions/p.md", &text)]);
    let e = errors(&root);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "content/provisions/p.md:8:11: error: link address with the `javascript:` scheme"
        ),
        "{e:?}"
    );
}

// 4. Collisions.

#[test]
fn a_page_cannot_take_a_generated_page_s_place() {
    for name in [
        "orders",
        "timeline",
        "deadlines",
        "changes",
        "matrix",
        "search",
        "pagefind",
        "api",
    ] {
        let (_tmp, root) = site(&[(
            &format!("content/pages/{name}.md") as &str,
            "---\ntitle: Mine\n---\n",
        )]);
        let e = errors(&root);
        assert_eq!(
            e,
            [format!("content/pages/{name}.md:1:1: error: a page named `{name}` would replace the generated /{name}/ of the site")]
        );
    }
}

#[test]
fn a_static_file_cannot_replace_a_generated_one() {
    let (_tmp, root) = site(&[
        ("static/deadlines/index.html", "<p>mine</p>"),
        ("static/feed.xml", "<feed/>"),
    ]);
    let e = errors(&root);
    assert_eq!(
        e,
        [
            "static/deadlines/index.html: error: this static file would replace the generated file `/deadlines/index.html`",
            "static/feed.xml: error: this static file would replace the generated file `/feed.xml`",
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_static_file_name_cannot_climb_out_of_the_output_folder() {
    let escape =
        std::env::temp_dir().join(format!("gazette-static-escape-{}.html", std::process::id()));
    // On Unix a backslash is part of a name; it once became a `/` on the way out.
    let name = format!(
        "a\\..\\..\\..\\..\\..\\..\\..{}",
        escape.display().to_string().replace('/', "\\")
    );
    let (_tmp, root) = site(&[("static/logo.txt", "logo")]);
    std::fs::write(root.join("static").join(&name), "pwned").unwrap();
    let run = build(&root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("this static file's name cannot be published"),
        "{}",
        run.stderr
    );
    assert!(!escape.exists(), "nothing written outside");
}

#[test]
fn a_static_file_where_a_generated_folder_goes_is_a_collision() {
    let (_tmp, root) = site(&[("static/deadlines", "not a folder")]);
    let e = errors(&root);
    assert_eq!(
        e,
        ["static/deadlines: error: this static file would replace the generated file `/deadlines`"]
    );
}

// 6. Work that once grew without bound.

#[test]
fn deep_yaml_and_aliases_are_refused_quickly() {
    let deep = format!(
        "---\ntitle: A\nweight: {}{}\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let alias = format!(
        "---\ntitle: &a \"{}\"\nweight: 1\nx: [{}]\n---\n",
        "y".repeat(100_000),
        vec!["*a"; 1000].join(",")
    );
    let (_tmp, root) = site(&[
        ("content/pages/deep.md", &deep),
        ("content/pages/alias.md", &alias),
    ]);
    let e = errors(&root);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("content/pages/alias.md:4:5: error: YAML aliases"),
        "{e:?}"
    );
    assert!(e[1].starts_with("content/pages/deep.md:3:"), "{e:?}");
    assert!(e[1].contains("nest more than 32 levels"), "{e:?}");
}

#[test]
fn long_parent_chains_and_many_equal_headings_build() {
    let mut files: Vec<(String, String)> = (0..3000)
        .map(|i| {
            let parent = if i > 0 {
                format!("parent: a{}\n", i - 1)
            } else {
                String::new()
            };
            (
                format!("content/agencies/a{i}.md"),
                format!("---\ntitle: A{i}\n{parent}---\n"),
            )
        })
        .collect();
    files.push((
        "content/pages/about.md".into(),
        format!("---\ntitle: About\n---\n\n{}", "## Same\n\n".repeat(20_000)),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (_tmp, root) = site(&refs);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&root.join("public/about/index.html"));
    assert!(page.contains("id=\"same-19999\""));
}

#[test]
fn a_cycle_in_a_long_parent_chain_is_one_error() {
    let files: Vec<(String, String)> = (0..2000)
        .map(|i| {
            (
                format!("content/agencies/a{i}.md"),
                format!("---\ntitle: A{i}\nparent: a{}\n---\n", (i + 1) % 2000),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (_tmp, root) = site(&refs);
    let e = errors(&root);
    assert_eq!(e.len(), 1, "{}", e.len());
    assert!(e[0].starts_with(
        "content/agencies/a0.md:3:9: error: agency parents form a cycle: a0 → a1 → a2"
    ));
}

// 7. Leftovers and the swap.

#[test]
fn leftovers_of_a_killed_build_are_cleaned_and_a_symlinked_output_is_refused() {
    let (tmp, root) = site(&[]);
    let dead = root.join(".public.building-2000000000");
    std::fs::create_dir_all(dead.join("big")).unwrap();
    std::fs::write(dead.join(".gazette-output"), "").unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["content", "public", "site.yaml"],
        "no staging or old folders left"
    );

    std::fs::remove_dir_all(root.join("public")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), root.join("public")).unwrap();
        let run = build(&root);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
        let leftovers = std::fs::read_dir(&root)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".public")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}

// 8. Files skipped or leaked.

#[cfg(unix)]
#[test]
fn links_and_fifos_in_content_are_errors_and_hidden_folders_are_ignored() {
    let (tmp, root) = site(&[
        ("content/.obsidian/workspace.json", "{}"),
        ("content/.git/HEAD", "x"),
        ("content/pages/about.md", "---\ntitle: About\n---\n"),
    ]);
    std::fs::write(tmp.path().join("outside.md"), "---\ntitle: Out\n---\n").unwrap();
    std::os::unix::fs::symlink(
        tmp.path().join("outside.md"),
        root.join("content/pages/linked.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        tmp.path().join("gone.md"),
        root.join("content/pages/dangling.md"),
    )
    .unwrap();
    let status = Command::new("mkfifo")
        .arg(root.join("content/pages/fifo.md"))
        .status()
        .unwrap();
    assert!(status.success());
    let e = errors(&root);
    assert_eq!(
        e,
        [
            "content/pages/dangling.md: error: this is a symbolic link: content/ holds only regular files and folders",
            "content/pages/fifo.md: error: this is not a regular file or folder: content/ holds only regular files and folders",
            "content/pages/linked.md: error: this is a symbolic link: content/ holds only regular files and folders",
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_content_file_name_that_is_not_utf8_is_named_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, root) = site(&[("content/pages/about.md", "---\ntitle: About\n---\n")]);
    let name = std::ffi::OsStr::from_bytes(b"bad\xff\x01name.md");
    std::fs::create_dir_all(root.join("content/provisions")).unwrap();
    std::fs::write(
        root.join("content/provisions").join(name),
        "---\ntitle: x\n---\n",
    )
    .unwrap();
    let e = errors(&root);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("content/provisions/bad")
            && e[0].ends_with("error: this name is not valid UTF-8 text"),
        "{e:?}"
    );
}

#[test]
fn hidden_static_files_are_not_published() {
    let (_tmp, root) = site(&[
        ("static/.env", "SECRET=1"),
        ("static/.git/config", "x"),
        ("static/.gazette-output", "mine"),
        ("static/.well-known/security.txt", "Contact: x"),
        ("static/logo.txt", "logo"),
    ]);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = root.join("public");
    assert!(!public.join(".env").exists());
    assert!(!public.join(".git").exists());
    assert_ne!(
        read(&public.join(".gazette-output")),
        "mine",
        "the marker is gazette's"
    );
    assert!(public.join(".well-known/security.txt").is_file());
    assert!(public.join("logo.txt").is_file());
}

#[cfg(unix)]
#[test]
fn a_fifo_site_yaml_is_an_error_not_a_hang() {
    let (_tmp, root) = site(&[]);
    std::fs::remove_file(root.join("site.yaml")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(root.join("site.yaml"))
        .status()
        .unwrap()
        .success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["check", "--root"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1));
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("gazette check hung on a FIFO site.yaml");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_theme_is_a_name_not_a_path() {
    let (_tmp, root) = site(&[]);
    std::fs::write(root.join("site.yaml"), "title: T\ntheme: ../../etc\n").unwrap();
    let e = errors(&root);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("site.yaml:2:8: error: theme: `../../etc` is not a valid id"),
        "{e:?}"
    );
}

// 9. Odd input, wrong output.

#[test]
fn control_characters_are_refused_with_their_position() {
    let (_tmp, root) = site(&[(
        "content/pages/about.md",
        "---\ntitle: \"Bell\u{7} here\"\n---\n",
    )]);
    let e = errors(&root);
    assert_eq!(
        e,
        ["content/pages/about.md:2:13: error: invisible control character U+0007 in the text"]
    );
}

#[test]
fn malformed_citations_and_wikilinks_are_reported() {
    let body = "A [@]. B [@wh; ]. C [[]]. D [[treasury and on.\n\n[see [@wh]](https://x.org) and ## {#main}\n\n## Heading {#main}\n";
    let (_tmp, root) = site(&[(
        "content/pages/about.md",
        &format!("---\ntitle: About\n---\n\n{body}"),
    )]);
    let e = errors(&root);
    let expected_starts = [
        "content/pages/about.md:5:4: error: a citation needs a source id",
        "content/pages/about.md:5:15: error: each part of a citation names a source",
        "content/pages/about.md:5:21: error: a wikilink is not closed",
        "content/pages/about.md:7:6: error: a citation cannot be inside a link",
        "content/pages/about.md:9:1: error: heading id `main` is taken by the page itself",
    ];
    assert_eq!(e.len(), expected_starts.len(), "{e:?}");
    for (line, start) in e.iter().zip(expected_starts) {
        assert!(line.starts_with(start), "{line}\n  expected: {start}");
    }
}

#[test]
fn huge_figures_and_impossible_dates_are_not_changes() {
    let text = provision(
        "versions:\n  - id: draft\n    label: Draft\n    text: \"Report within 99999999999999999999 days, by February 30, 2026.\"\n  - id: final\n    label: Final\n    text: \"Report within 30 days, by February 28, 2026.\"\n",
        "",
    );
    let (_tmp, root) = site(&[("content/provisions/p.md", &text)]);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let changes = read(&root.join("public/changes/index.html"));
    assert!(
        !changes.contains("9223372036854775807"),
        "no saturated number"
    );
    assert!(
        !changes.contains("from 30 to 28"),
        "February 30 is not a number"
    );
}

// One mistake, one message.

#[test]
fn a_file_that_fails_to_parse_is_the_only_error() {
    let (_tmp, root) = copy_shipped_site();
    let order = root.join("content/orders/ai-innovation-and-security.md");
    let text = read(&order);
    std::fs::write(&order, text.trim_start_matches("---\n")).unwrap();
    let e = errors(&root);
    assert_eq!(
        e,
        ["content/orders/ai-innovation-and-security.md:1:1: error: missing front matter"]
    );
}

#[test]
fn editors_get_plain_words_for_common_yaml_mistakes() {
    let (_tmp, root) = site(&[
        (
            "content/agencies/a.md",
            "---\ntitle: A\nacronym:\n\t- x\n---\n",
        ),
        ("content/agencies/b.md", "---\ntitle: Office: of it\n---\n"),
        (
            "content/events/c.md",
            "---\ntitle: C\nkind: other\ndate: \"within 45 days of signing\"\n---\n",
        ),
        (
            "content/events/d.md",
            "---\ntitle: D\nkind: other\ndate: 2026-02-30\n---\n",
        ),
    ]);
    let run = build(&root);
    assert_eq!(run.code, 1);
    for expected in [
        "content/agencies/a.md:4:1: error: this line starts with a character YAML cannot read here (often a tab)",
        "help: indent with spaces, not tabs",
        "content/agencies/b.md:2:14: error: a value contains `: `, which YAML reads as a new field",
        "`within 45 days of signing` is not a date: write a relative date as `{ within_days: 45, of: signing }`",
        "invalid date `2026-02-30`: February 2026 has 28 days",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in\n{}", run.stderr);
    }
}

#[test]
fn scaffolded_files_do_not_pass_check_until_filled_in() {
    let (_tmp, root) = site(&[]);
    for kind in ["order", "provision", "agency", "source", "event", "page"] {
        let run = gazette(
            &[
                "new",
                kind,
                &format!("new-{kind}"),
                "--root",
                root.to_str().unwrap(),
            ],
            &root,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let path = root.join(format!(
            "content/{}s/new-{kind}.md",
            if kind == "agency" { "agencie" } else { kind }
        ));
        let text = read(&path).replace("draft: true\n", "");
        std::fs::write(&path, text).unwrap();
    }
    let run = gazette(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(run.code, 1);
    let placeholders = run
        .stderr
        .matches("a placeholder from `gazette new` is still here")
        .count();
    assert_eq!(placeholders, 6, "{}", run.stderr);
}

#[test]
fn wikilinks_reach_a_section_and_check_verifies_it() {
    let text = provision(
        "disagreements:\n  - claim: C\n    accounts:\n      - says: A\n        sources: [wh]\n      - says: B\n        sources: [wh]\n",
        "",
    );
    let (_tmp, root) = site(&[
        ("content/provisions/p.md", &text),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\n\nSee [[provision/p#disagreements|where sources disagree]].\n",
        ),
    ]);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let about = read(&root.join("public/about/index.html"));
    assert!(
        about.contains("href=\"/provisions/p/#disagreements\""),
        "{about}"
    );
    let page = read(&root.join("public/provisions/p/index.html"));
    assert!(page.contains("id=\"disagreements\""));

    std::fs::write(
        root.join("content/pages/about.md"),
        "---\ntitle: About\n---\n\nSee [[provision/p#nowhere]] and [[p#a\\\"b]].\n",
    )
    .unwrap();
    let run = gazette(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
    assert!(run.stderr.contains("is not a section id"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_interrupted_build_removes_its_new_tree_and_keeps_the_old_site() {
    let files: Vec<(String, String)> = (0..1500)
        .map(|i| {
            (
                format!("content/provisions/p{i}.md"),
                format!(
                    "---\ntitle: P{i}\norder: eo\nsummary: S\nagencies: [treasury]\n---\n\n{}",
                    "Text [[treasury]] [@wh].\n\n".repeat(20)
                ),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (_tmp, root) = site(&refs);
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/.gazette-output"), "").unwrap();
    std::fs::write(root.join("public/old.html"), "the previous site").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["build", "--quiet", "--root"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let staging = root.join(format!(".public.building-{}", child.id()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !staging.exists() {
        assert!(Instant::now() < deadline, "the build never started writing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!staging.exists(), "the new tree is removed");
    assert_eq!(read(&root.join("public/old.html")), "the previous site");
}
