//! [`Dialect`]: which SCIM a service speaks, and the wire rules that
//! differ between Slack's v1.1, Slack's 2.0 and RFC 7643/7644.

use crate::Error;

/// Slack's SCIM v1.1 base URL, the default.
pub const SLACK_V1_BASE_URL: &str = "https://api.slack.com/scim/v1/";
/// Slack's SCIM 2.0 base URL.
pub const SLACK_V2_BASE_URL: &str = "https://api.slack.com/scim/v2/";

/// The `Content-Type` of request bodies in Slack's v1 dialect.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// The `Content-Type` of request bodies in SCIM 2.0 (RFC 7644 §3.1).
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

/// Which SCIM a service speaks. The wire rules that differ live here; all
/// else is shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Slack's SCIM v1.1: SCIM 1.1 URNs, `application/json`, `count` ≤ 1000,
    /// `{"Errors": {…}}` bodies, `/ServiceProviderConfigs`.
    #[default]
    SlackV1,
    /// Slack's SCIM 2.0: RFC 7644 with Slack's limits (`count` ≤ 1000) and
    /// its `/ServiceProviderConfigs` spelling.
    SlackV2,
    /// Any RFC 7643/7644 service.
    Scim2,
}

impl Dialect {
    /// The `Content-Type` of request bodies.
    pub fn content_type(self) -> &'static str {
        match self {
            Dialect::SlackV1 => JSON_CONTENT_TYPE,
            Dialect::SlackV2 | Dialect::Scim2 => SCIM_CONTENT_TYPE,
        }
    }

    /// The `Accept` header: SCIM 2.0 services get both media types.
    pub fn accept(self) -> &'static str {
        match self {
            Dialect::SlackV1 => "application/json",
            Dialect::SlackV2 | Dialect::Scim2 => "application/scim+json, application/json",
        }
    }

    /// The largest `count` the service serves, when it documents one.
    pub fn max_count(self) -> Option<u32> {
        match self {
            Dialect::SlackV1 | Dialect::SlackV2 => Some(1000),
            Dialect::Scim2 => None,
        }
    }

    /// Checks a query against what every SCIM service and this dialect
    /// accept: `startIndex` is 1-based (RFC 7644 §3.4.2.4), `count` at
    /// most [`max_count`](Self::max_count), and a `cursor` goes without
    /// `startIndex` (RFC 9865 §2.4: a page is asked for by one or the other)
    /// and within [`SearchRequest::MAX_CURSOR_LEN`](crate::model::SearchRequest::MAX_CURSOR_LEN).
    /// The one home of these checks, so `search_*`, `query` and `.search`
    /// refuse the same queries.
    pub(crate) fn check_query(self, query: &crate::model::SearchRequest) -> Result<(), Error> {
        if query.start_index == Some(0) {
            return Err(Error::invalid(
                "start_index",
                "must be at least 1 (SCIM indexes are 1-based)",
            ));
        }
        check_cursor(query)?;
        if let (Some(count), Some(max)) = (query.count, self.max_count()) {
            if count > max {
                return Err(Error::invalid(
                    "count",
                    format!("must be at most {max} on this service, got {count}"),
                ));
            }
        }
        Ok(())
    }

    /// The URN the enterprise User extension (RFC 7643 §4.3) is written
    /// under: SCIM 1.1's `urn:scim:schemas:extension:enterprise:1.0` on
    /// Slack v1, RFC 7643's `…:enterprise:2.0:User` on Slack v2 and every
    /// SCIM 2.0 service.
    pub fn enterprise_urn(self) -> &'static str {
        match self {
            Dialect::SlackV1 => crate::model::ENTERPRISE_V1,
            Dialect::SlackV2 | Dialect::Scim2 => crate::model::ENTERPRISE_V2,
        }
    }

    /// The sub-attribute of the enterprise extension's `manager` that holds
    /// the manager's id. RFC 7643 §4.3 says `value` ("the id of the SCIM
    /// resource representing the User's manager"); Slack, in v1 and v2
    /// alike, reads and writes `managerId` instead and ignores `value`
    /// (docs.slack.dev/reference/scim-api, authentik PR #21857).
    pub fn manager_id_attribute(self) -> &'static str {
        match self {
            Dialect::SlackV1 | Dialect::SlackV2 => "managerId",
            Dialect::Scim2 => "value",
        }
    }

    /// The service provider configuration's path (Slack adds an `s`).
    pub fn service_provider_config_path(self) -> &'static str {
        match self {
            Dialect::SlackV1 | Dialect::SlackV2 => "ServiceProviderConfigs",
            Dialect::Scim2 => "ServiceProviderConfig",
        }
    }
}

/// Refuses a cursor sent with a `startIndex`, or too long to send.
fn check_cursor(query: &crate::model::SearchRequest) -> Result<(), Error> {
    let Some(cursor) = &query.cursor else {
        return Ok(());
    };
    if let Some(start) = query.start_index {
        return Err(Error::invalid(
            "cursor",
            format!(
                "cannot be sent with start_index ({start}): a page is asked for by cursor or \
                 by index, not both (RFC 9865 §2.4)"
            ),
        ));
    }
    let max = crate::model::SearchRequest::MAX_CURSOR_LEN;
    if cursor.len() > max {
        return Err(Error::invalid(
            "cursor",
            format!("is {} bytes long, more than the {max} sent", cursor.len()),
        ));
    }
    Ok(())
}
