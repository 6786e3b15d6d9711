//! Bulk requests, checked against the service's limits before they are built.

use http::Method;

use super::operations::{success, to_body};
use crate::model::{BulkRequest, BulkResponse, ServiceProviderConfig};
use crate::request::operation::Operation;
use crate::{Endpoint, Error};

/// The limits a service sets on Bulk requests, from its
/// [`ServiceProviderConfig`]. `None` means no limit is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkLimits {
    /// `bulk.maxOperations`.
    pub max_operations: Option<u64>,
    /// `bulk.maxPayloadSize`, in bytes.
    pub max_payload_size: Option<u64>,
}

impl From<&ServiceProviderConfig> for BulkLimits {
    fn from(config: &ServiceProviderConfig) -> Self {
        let bulk = config.bulk.value();
        BulkLimits {
            max_operations: bulk.and_then(|b| b.max_operations.value().copied()),
            max_payload_size: bulk.and_then(|b| b.max_payload_size.value().copied()),
        }
    }
}

impl Endpoint {
    /// `POST /Bulk`.
    ///
    /// A request over `limits` is **refused**, not split: splitting would
    /// break `bulkId` references between operations that land in different
    /// requests, and `failOnErrors` would count per part. Split it yourself
    /// where no reference crosses the cut.
    pub fn bulk(
        &self,
        request: &BulkRequest,
        limits: &BulkLimits,
    ) -> Result<Operation<BulkResponse>, Error> {
        let operations = request.operations.len() as u64;
        if let Some(max) = limits.max_operations.filter(|&max| operations > max) {
            return Err(Error::invalid(
                "request",
                format!("{operations} operations, but the service allows {max} per Bulk request"),
            ));
        }
        let value = serde_json::to_value(request).map_err(|e| Error::Encode(e.to_string()))?;
        let body = to_body(value)?;
        if let Some(max) = limits
            .max_payload_size
            .filter(|&max| body.len() as u64 > max)
        {
            return Err(Error::invalid(
                "request",
                format!(
                    "{} bytes, but the service allows {max} per Bulk request",
                    body.len()
                ),
            ));
        }
        self.at(Method::POST, "Bulk", Some(body), |r| success(r)?.parse())
    }
}
