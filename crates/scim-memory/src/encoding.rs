//! Percent-decoding of request paths and queries (RFC 3986 §2.1), the
//! inverse of what the client encodes.

/// Decodes `%XX` escapes; a malformed escape is kept as written, and bytes
/// that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make at most 255.
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn escapes_are_decoded_and_malformed_ones_kept() {
        assert_eq!(
            percent_decode("a%20b%2Fc%3Fd%23e%25f%2Bg%22h"),
            "a b/c?d#e%f+g\"h"
        );
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("100%zz%4"), "100%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }
}
