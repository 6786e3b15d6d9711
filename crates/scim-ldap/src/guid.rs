//! Active Directory's `objectGUID` in its canonical string form.

/// Renders a 16-byte `objectGUID` as AD writes it
/// (`{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` without the braces, lowercase):
/// the first three groups little-endian (the bytes of a Windows `GUID`'s
/// `Data1`, `Data2`, `Data3`), the last two in byte order. `None` unless
/// exactly 16 bytes.
///
/// ```
/// let bytes = [
///     0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
///     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
/// ];
/// assert_eq!(
///     scim_ldap::object_guid_string(&bytes).as_deref(),
///     Some("00112233-4455-6677-8899-aabbccddeeff")
/// );
/// assert_eq!(scim_ldap::object_guid_string(&[0; 15]), None);
/// ```
pub fn object_guid_string(bytes: &[u8]) -> Option<String> {
    let b: &[u8; 16] = bytes.try_into().ok()?;
    let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut out = String::with_capacity(36);
    for (i, index) in order.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{:02x}", b[index]));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::object_guid_string;

    #[test]
    fn a_known_ad_guid_renders_mixed_endian() {
        // The bytes of {c3a4b1e2-1f2d-4c5b-9a8e-0123456789ab} as AD stores them.
        let bytes = [
            0xe2, 0xb1, 0xa4, 0xc3, 0x2d, 0x1f, 0x5b, 0x4c, 0x9a, 0x8e, 0x01, 0x23, 0x45, 0x67,
            0x89, 0xab,
        ];
        assert_eq!(
            object_guid_string(&bytes).unwrap(),
            "c3a4b1e2-1f2d-4c5b-9a8e-0123456789ab"
        );
    }

    #[test]
    fn a_guid_of_the_wrong_length_is_refused() {
        assert_eq!(object_guid_string(&[]), None);
        assert_eq!(object_guid_string(&[0; 17]), None);
    }
}
