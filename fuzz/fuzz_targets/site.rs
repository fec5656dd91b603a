//! A whole small site: the input is split at 0xFF bytes into up to six
//! files, one per content kind, which may reference each other.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = common::site(data);
});
