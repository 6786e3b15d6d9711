//! RFC 3986 percent-encoding for path segments and query components.
//!
//! Everything but the unreserved set (`A–Z a–z 0–9 - . _ ~`) is encoded, so a
//! `/`, `?`, `#`, `%` or space in an id or filter can never change which
//! resource a request targets or how its query splits. A space becomes `%20`,
//! never `+`. Written here rather than taken from a crate: it is twenty lines.

/// Appends `input` to `out`, percent-encoding every byte outside the unreserved set.
pub(crate) fn push_encoded(out: &mut String, input: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in input.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}

/// Appends a query string (`k=v&k=v`, no leading `?`) in the order given.
pub(crate) fn push_query<'a>(
    out: &mut String,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    for (i, (name, value)) in params.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(out, name);
        out.push('=');
        push_encoded(out, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(input: &str) -> String {
        let mut out = String::new();
        push_encoded(&mut out, input);
        out
    }

    #[test]
    fn unreserved_characters_pass_through() {
        assert_eq!(encoded("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn reserved_and_non_ascii_characters_are_encoded() {
        assert_eq!(encoded("a b/c?d#e%f+g\"h"), "a%20b%2Fc%3Fd%23e%25f%2Bg%22h");
        assert_eq!(encoded("é"), "%C3%A9");
    }

    #[test]
    fn query_keeps_the_given_order() {
        let mut out = String::new();
        push_query(
            &mut out,
            [
                ("startIndex", "1"),
                ("count", "10"),
                ("filter", "a eq \"b\""),
            ],
        );
        assert_eq!(out, "startIndex=1&count=10&filter=a%20eq%20%22b%22");
    }
}
