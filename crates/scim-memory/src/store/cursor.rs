//! The cursors this service gives (RFC 9865): what one holds, written and
//! read back; a cursor it did not give is `invalidCursor`.

use crate::Failure;

/// What a cursor this service gave holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum CursorAt {
    /// The first page (no cursor, or an empty one).
    First,
    /// After this id, in id order (`k` and the id's bytes in hex).
    AfterId(String),
    /// After this many matches (`o` and the number in base 36).
    Offset(usize),
}

pub(super) fn invalid_cursor(detail: &str) -> Failure {
    Failure::new(400, Some("invalidCursor"), detail)
}

/// `k` and the id's bytes in hex.
pub(super) fn encode_id_cursor(id: &str) -> String {
    let mut cursor = String::with_capacity(id.len().saturating_mul(2).saturating_add(1));
    cursor.push('k');
    for byte in id.bytes() {
        cursor.push_str(&format!("{byte:02x}"));
    }
    cursor
}

/// `o` and the offset in base 36.
pub(super) fn encode_offset_cursor(mut offset: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[offset % 36]);
        offset /= 36;
        if offset == 0 {
            break;
        }
    }
    digits.push(b'o');
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Reads a cursor this service gave; anything else is `invalidCursor`.
pub(super) fn decode_cursor(text: &str) -> Result<CursorAt, Failure> {
    let malformed = || invalid_cursor("the cursor is not one this service gave");
    if text.is_empty() {
        return Ok(CursorAt::First);
    }
    if let Some(hex) = text.strip_prefix('k') {
        let digits = hex.as_bytes();
        if digits.is_empty() || digits.len() % 2 != 0 {
            return Err(malformed());
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| {
                let high = char::from(pair[0]).to_digit(16)?;
                let low = char::from(pair[1]).to_digit(16)?;
                u8::try_from(high * 16 + low).ok()
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(malformed)?;
        return String::from_utf8(bytes)
            .map(CursorAt::AfterId)
            .map_err(|_| malformed());
    }
    if let Some(digits) = text.strip_prefix('o') {
        let valid = !digits.is_empty()
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        if valid {
            return usize::from_str_radix(digits, 36)
                .map(CursorAt::Offset)
                .map_err(|_| malformed());
        }
    }
    Err(malformed())
}
