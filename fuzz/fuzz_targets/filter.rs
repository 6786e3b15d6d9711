//! The filter parser: no panic, and whatever parses prints back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_client::filter::Filter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(filter) = text.parse::<Filter>() {
        let printed = filter.to_string();
        let again: Filter = printed.parse().expect("a printed filter parses");
        assert_eq!(again, filter, "{text:?} printed as {printed:?}");
    }
});
