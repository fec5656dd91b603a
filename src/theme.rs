//! The default theme, compiled into the binary.
//!
//! A site uses `themes/NAME/` when that folder exists; the default theme
//! falls back to this embedded copy, so a site needs no theme folder at all.
//! `gazette init` writes the embedded copy out for editors who want to read it.

/// (path inside the theme folder, contents)
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "templates/components.html",
        include_str!("../themes/default/templates/components.html"),
    ),
    (
        "templates/home.html",
        include_str!("../themes/default/templates/home.html"),
    ),
    (
        "templates/list.html",
        include_str!("../themes/default/templates/list.html"),
    ),
    (
        "templates/order.html",
        include_str!("../themes/default/templates/order.html"),
    ),
    (
        "templates/provision.html",
        include_str!("../themes/default/templates/provision.html"),
    ),
    (
        "templates/agency.html",
        include_str!("../themes/default/templates/agency.html"),
    ),
    (
        "templates/source.html",
        include_str!("../themes/default/templates/source.html"),
    ),
    (
        "templates/event.html",
        include_str!("../themes/default/templates/event.html"),
    ),
    (
        "templates/page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "templates/404.html",
        include_str!("../themes/default/templates/404.html"),
    ),
    (
        "static/style.css",
        include_str!("../themes/default/static/style.css"),
    ),
];
