//! A whole small site: the input is split at 0xFF bytes into up to six
//! files, one per content kind, which may reference each other.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let files: Vec<(String, Vec<u8>)> = data
        .split(|b| *b == 0xFF)
        .take(common::FOLDERS.len())
        .zip(common::FOLDERS)
        .enumerate()
        .map(|(i, (bytes, folder))| (format!("{folder}/f{i}.md"), bytes.to_vec()))
        .collect();
    let _ = common::run(&files);
});
