//! PATCH path parsing: no panic, and whatever parses prints back to the same path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_client::model::PatchPath;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(path) = text.parse::<PatchPath>() {
        let printed = path.to_string();
        let again: PatchPath = printed.parse().expect("a printed path parses");
        assert_eq!(again, path, "{text:?} printed as {printed:?}");
    }
});
