//! [`Paging`]: how the service pages lists, by the dialect's defaults or a
//! profile's pagination and page cap.

use scim_client::Dialect;
use scim_client::provider::{Pagination, Profile};

use crate::discovery;

/// How the service pages lists: by index, by cursor (RFC 9865), or both,
/// and how large a page may be.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    /// `startIndex` is honoured.
    pub(crate) index: bool,
    /// `cursor` is honoured and `nextCursor` given.
    pub(crate) cursor: bool,
    /// The largest page served (a larger `count` is read as this).
    pub(crate) max_page_size: usize,
    /// The page size when the request names none.
    pub(crate) default_page_size: usize,
    /// Whether `/ServiceProviderConfig` announces all this (RFC 9865 §4).
    pub(crate) announced: bool,
}

impl Paging {
    /// Index paging up to [`discovery::MAX_RESULTS`], as the dialect serves by default.
    pub(super) fn of_dialect(dialect: Dialect) -> Paging {
        // Slack serves 10 by default and reads anything above 1000 as 1000.
        let default_page_size = if dialect == Dialect::SlackV1 {
            10
        } else {
            discovery::MAX_RESULTS
        };
        Paging {
            index: true,
            cursor: false,
            max_page_size: discovery::MAX_RESULTS,
            default_page_size,
            announced: false,
        }
    }

    /// The profile's pagination and page cap (at most
    /// [`discovery::MAX_RESULTS`], at least 1).
    pub(super) fn of_profile(profile: &Profile) -> Paging {
        let dialect = Paging::of_dialect(profile.dialect);
        let max_page_size = profile
            .max_page_size
            .or(profile.dialect.max_count())
            .map_or(discovery::MAX_RESULTS, |max| {
                usize::try_from(max).unwrap_or(usize::MAX)
            })
            .clamp(1, discovery::MAX_RESULTS);
        Paging {
            index: profile.pagination != Pagination::Cursor,
            cursor: profile.pagination.uses_cursor(),
            max_page_size,
            default_page_size: dialect.default_page_size.min(max_page_size),
            announced: true,
        }
    }
}
