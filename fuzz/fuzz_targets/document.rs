//! One content file of any kind (the first byte picks the kind), front
//! matter and Markdown, beside a small valid site.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = common::document(data);
});
