//! The `scim` binary: [`scim_cli::run`] on the command line's words.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let words: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(std::ffi::OsString::into_string)
        .collect();
    match words {
        Ok(words) => ExitCode::from(scim_cli::run(words)),
        Err(_) => {
            // A closed stderr has no reader to tell; never a panic.
            let _ = writeln!(
                std::io::stderr(),
                "scim: error: an argument is not valid UTF-8"
            );
            ExitCode::from(scim_cli::exit::USAGE)
        }
    }
}
