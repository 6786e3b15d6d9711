//! [`Failure`]: a refusal the service answers with, before it takes its
//! dialect's error form.

/// An error the service answers with: the HTTP status, the SCIM `scimType`
/// and the detail it would send. [`InMemoryService::seed_user`] returns it
/// when it refuses a user.
///
/// [`InMemoryService::seed_user`]: crate::InMemoryService::seed_user
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub(crate) status: u16,
    pub(crate) scim_type: Option<&'static str>,
    pub(crate) detail: String,
}

impl Failure {
    pub(crate) fn new(
        status: u16,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Failure {
        Failure {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// The HTTP status the service answers with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What went wrong, as the service's error body says.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub(crate) fn not_found(what: &str) -> Failure {
        Failure::new(404, None, format!("{what} not found"))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}

impl std::error::Error for Failure {}
