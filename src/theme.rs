//! The default theme, compiled into the binary.
//!
//! A site uses `themes/NAME/` when that folder exists; the default theme
//! falls back to this embedded copy, so a site needs no theme folder at all.
//! `gazette init` writes the embedded copy out for editors who want to read it.

macro_rules! theme_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../themes/default/", $path)))),*]
    };
}

/// (path inside the theme folder, contents). A test checks that this lists
/// every file of `themes/default/`.
pub const DEFAULT_THEME: &[(&str, &str)] = theme_files![
    "templates/base.html",
    "templates/components.html",
    "templates/home.html",
    "templates/list.html",
    "templates/order.html",
    "templates/provision.html",
    "templates/agency.html",
    "templates/source.html",
    "templates/event.html",
    "templates/page.html",
    "templates/404.html",
    "templates/timeline.html",
    "templates/deadlines.html",
    "templates/changes.html",
    "templates/version.html",
    "templates/matrix.html",
    "templates/search.html",
    "templates/stale.html",
    "templates/status.html",
    "static/style.css",
    "static/gazette.js",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_lists_every_theme_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                Some(
                    e.path()
                        .strip_prefix(&dir)
                        .ok()?
                        .to_string_lossy()
                        .replace('\\', "/"),
                )
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = DEFAULT_THEME.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "update DEFAULT_THEME in src/theme.rs");
    }
}
