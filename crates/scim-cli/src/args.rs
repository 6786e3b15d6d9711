//! [`Args`]: the words of a command line, taken out as each part reads them.
//!
//! No parser crate: the global flags are taken first (wherever they are),
//! then the command words, then each command takes its own flags and
//! positionals and calls [`Args::finish`], which refuses whatever is left.
//! A flag's value is the next word or follows `=` (`--filter=…`; use that
//! form for a value that starts with `-`). Words after `--` are positionals
//! only.

use crate::error::CliError;

/// The words not taken yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Args {
    words: Vec<String>,
}

impl Args {
    /// The words after the program's name.
    pub(crate) fn new(words: impl IntoIterator<Item = String>) -> Args {
        Args {
            words: words.into_iter().collect(),
        }
    }

    /// How many words lie before `--` (all of them without one): flags are
    /// searched there only.
    fn flag_zone(&self) -> usize {
        self.words
            .iter()
            .position(|w| w == "--")
            .unwrap_or(self.words.len())
    }

    /// Takes every `name` (and its `aliases`); true when there was one.
    pub(crate) fn switch(&mut self, name: &str, aliases: &[&str]) -> bool {
        let zone = self.flag_zone();
        let before = self.words.len();
        let mut index = 0;
        self.words.retain(|w| {
            index += 1;
            index > zone || (w != name && !aliases.contains(&w.as_str()))
        });
        self.words.len() != before
    }

    /// Takes every `name VALUE` and `name=VALUE`, in order.
    pub(crate) fn values(&mut self, name: &str) -> Result<Vec<String>, CliError> {
        let mut found = Vec::new();
        let mut index = 0;
        while index < self.flag_zone() {
            let word = &self.words[index];
            if word == name {
                if index + 1 >= self.flag_zone() {
                    return Err(CliError::usage(format!("{name} needs a value")));
                }
                found.push(self.words.remove(index + 1));
                self.words.remove(index);
            } else if let Some(value) = word.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
                found.push(value.to_owned());
                self.words.remove(index);
            } else {
                index += 1;
            }
        }
        Ok(found)
    }

    /// Takes `name VALUE` once; given twice is a usage error.
    pub(crate) fn value(&mut self, name: &str) -> Result<Option<String>, CliError> {
        let mut values = self.values(name)?;
        match values.len() {
            0 | 1 => Ok(values.pop()),
            _ => Err(CliError::usage(format!("{name} is given more than once"))),
        }
    }

    /// Takes the first positional word (one that is not a flag; `-` is one).
    pub(crate) fn positional(&mut self) -> Option<String> {
        let zone = self.flag_zone();
        if let Some(at) = self.words[..zone].iter().position(|w| !is_flag(w)) {
            return Some(self.words.remove(at));
        }
        // Then the words after `--`, which stays.
        (zone + 1 < self.words.len()).then(|| self.words.remove(zone + 1))
    }

    /// Takes the first positional word, or says that `what` is missing.
    pub(crate) fn required(&mut self, what: &str) -> Result<String, CliError> {
        self.positional()
            .ok_or_else(|| CliError::usage(format!("missing {what}")))
    }

    /// Takes every positional word left.
    pub(crate) fn rest(&mut self) -> Vec<String> {
        std::iter::from_fn(|| self.positional()).collect()
    }

    /// Refuses whatever was not taken.
    pub(crate) fn finish(&self) -> Result<(), CliError> {
        match self.words.iter().find(|w| *w != "--") {
            None => Ok(()),
            Some(word) if is_flag(word) => Err(CliError::usage(format!("unknown flag {word}"))),
            Some(word) => Err(CliError::usage(format!("unexpected argument {word:?}"))),
        }
    }
}

fn is_flag(word: &str) -> bool {
    word.len() > 1 && word.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Args {
        Args::new(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn flags_are_taken_wherever_they_are_and_positionals_keep_their_order() {
        let mut a = args("users --json list --filter=x --count 5 -q");
        assert!(a.switch("--json", &[]));
        assert!(a.switch("--quiet", &["-q"]));
        assert_eq!(a.value("--filter").unwrap().as_deref(), Some("x"));
        assert_eq!(a.value("--count").unwrap().as_deref(), Some("5"));
        assert_eq!(a.rest(), ["users", "list"]);
        assert!(a.finish().is_ok());
    }

    #[test]
    fn repeated_values_are_kept_in_order_and_a_single_value_refuses_repeats() {
        let mut a = args("--set a=1 --set=b=2 --name x --name y");
        assert_eq!(a.values("--set").unwrap(), ["a=1", "b=2"]);
        assert!(matches!(a.value("--name"), Err(CliError::Usage(_))));
    }

    #[test]
    fn a_missing_value_and_leftovers_are_usage_errors() {
        assert!(args("--count").value("--count").is_err());
        assert_eq!(
            args("--frob").finish(),
            Err(CliError::usage("unknown flag --frob"))
        );
        assert!(args("extra").finish().is_err());
    }

    #[test]
    fn words_after_double_dash_are_positionals_only() {
        let mut a = args("get -- --json -");
        assert!(!a.switch("--json", &[]));
        assert_eq!(a.rest(), ["get", "--json", "-"]);
        assert!(a.finish().is_ok());
    }
}
