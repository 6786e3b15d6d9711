//! The token request's wire encodings: `application/x-www-form-urlencoded`
//! (RFC 6749 Appendix B) and base64 (RFC 4648) for the Basic credential.

use std::fmt::Write as _;

/// Appends `&name=value`, both form-urlencoded (RFC 6749 Appendix B).
pub(super) fn push_param(body: &mut String, name: &str, value: &str) {
    body.push('&');
    body.push_str(&form_urlencode(name));
    body.push('=');
    body.push_str(&form_urlencode(value));
}

/// The `application/x-www-form-urlencoded` byte serializer (RFC 6749
/// Appendix B, WHATWG URL): letters, digits and `*-._` as is, space as `+`,
/// every other byte `%XX`.
pub(super) fn form_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), for the Basic credential.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (group >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(ALPHABET[sextet as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("\u{ff}\u{fe}", "w7/Dvg=="),
        ];
        for (input, output) in table {
            assert_eq!(base64(input.as_bytes()), *output, "{input:?}");
        }
    }

    #[test]
    fn form_urlencoding_follows_the_byte_serializer() {
        let table: &[(&str, &str)] = &[
            ("abcXYZ019", "abcXYZ019"),
            ("*-._", "*-._"),
            (" ", "+"),
            ("+", "%2B"),
            ("~", "%7E"),
            ("a/b?c=d&e", "a%2Fb%3Fc%3Dd%26e"),
            ("é", "%C3%A9"),
            ("%", "%25"),
        ];
        for (input, output) in table {
            assert_eq!(form_urlencode(input), *output, "{input:?}");
        }
    }
}
