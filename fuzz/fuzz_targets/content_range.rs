//! libFuzzer target; the input layout and the checks are documented at
//! `connect_core::fuzz::content_range`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| connect_core::fuzz::content_range(data));
