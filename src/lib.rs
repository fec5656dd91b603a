//! gazette: a static site generator for policy knowledge bases.
//!
//! Data flows one way:
//!
//! 1. [`config`] reads `site.yaml`;
//! 2. [`content`] walks `content/` and parses each file's front matter into
//!    raw structs ([`content::raw`]), keeping positions ([`yaml::Spans`]);
//! 3. [`resolve`] checks every reference, computes dates ([`dates`]), renders
//!    Markdown ([`markdown`]) and builds the [`model::Site`];
//! 4. [`render`] turns the site into pages through Tera templates fed with
//!    typed views ([`render::views`]);
//! 5. [`output`] writes the pages into a fresh folder and swaps it in.
//!
//! [`pipeline`] runs these stages for `build`, `check` and the dev server
//! alike ([`build`] and [`serve`] wrap it). Every problem along the way is a
//! [`diagnostics::Diagnostic`] naming `path:line:column`; they are collected,
//! not thrown, so one run reports them all. The library never prints.

#![warn(clippy::print_stdout, clippy::print_stderr)]
// Diagnostics are returned by value on the error path, which is cold; boxing buys nothing.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod calendar;
pub mod changes;
pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostics;
pub mod export;
pub mod feed;
pub mod fs;
pub mod linkcheck;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod spreadsheet;
pub mod status;
pub mod theme;
pub mod timeline;
pub mod yaml;
