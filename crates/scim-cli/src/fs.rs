//! Files the CLI writes that hold personal data or state (plans, exports,
//! the embedded state): created readable by their owner only (0600 on
//! unix), as ssh keeps its keys, so names, emails and titles are not shared
//! with every account on the machine by the default umask (0644).
//!
//! One helper for every such file, so no write path forgets the mode.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Opens `path` for writing, empty, readable and writable by its owner
/// only: created with mode 0600, and an existing file with a wider mode is
/// narrowed *before* it is emptied and written, so what it held before and
/// what it holds now are never readable by others. (Elsewhere than unix,
/// the platform's default.)
pub(crate) fn create_private(path: &Path) -> io::Result<File> {
    let file = open_private(path, OpenOptions::new().write(true))?;
    file.set_len(0)?;
    Ok(file)
}

/// Opens `path` to append to it, as [`create_private`] does (0600, an
/// existing wider mode narrowed first), keeping what it holds: a log.
pub(crate) fn append_private(path: &Path) -> io::Result<File> {
    open_private(path, OpenOptions::new().append(true))
}

fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    options.create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Writes `bytes` to `path` through [`create_private`], flushed to disk
/// before it returns.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_existing_files_end_up_owner_only() {
        let dir = std::env::temp_dir().join(format!("scim-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.json");
        write_private(&path, b"first, long content").unwrap();
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"second").unwrap();
        assert_eq!(mode(&path), 0o600, "a wider mode is narrowed");
        assert_eq!(std::fs::read(&path).unwrap(), b"second", "emptied first");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
