//! One content file of any kind (the first byte picks the kind), front
//! matter and Markdown, beside a small valid site.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let folder = common::FOLDERS[usize::from(pick) % common::FOLDERS.len()];
    let _ = common::run(&[(format!("{folder}/fuzzed.md"), bytes.to_vec())]);
});
