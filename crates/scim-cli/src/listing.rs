//! [`Listing`]: every resource a query matches, read page by page with
//! progress; [`Query`]: the flags that make the query.

use scim_client::Resource;
use scim_client::model::SearchRequest;

use crate::error::CliError;
use crate::session::Session;
use crate::values;

/// `--filter F` and `--count N` of `users list` and `groups list`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Query {
    /// Only what matches this SCIM filter (RFC 7644 §3.4.2.2), e.g. 'active eq true'
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    pub filter: Option<String>,
    /// The page size: how many to read per request (every page is read)
    #[arg(long, value_name = "N", value_parser = values::positive::<u32>)]
    pub count: Option<u32>,
}

impl Query {
    /// The search request the flags make.
    pub(crate) fn request(&self) -> SearchRequest {
        let mut query = SearchRequest::new();
        if let Some(filter) = &self.filter {
            query = query.filter(filter.clone());
        }
        if let Some(count) = self.count {
            query = query.count(count);
        }
        query
    }
}

/// What a walk read: the resources, and the ones that could not be
/// decoded (each as its error message; the walk went on past them).
#[derive(Debug)]
pub(crate) struct Listing<R> {
    /// The resources read, in the service's order.
    pub items: Vec<R>,
    /// Why each undecodable resource was skipped.
    pub skipped: Vec<String>,
}

impl<R: Resource> Listing<R> {
    /// Walks every page of `query` (`client.all`), showing progress as
    /// `label`; the total comes from the first page. Any error other than
    /// an undecodable resource stops the walk.
    pub(crate) fn read(
        session: &Session,
        query: SearchRequest,
        label: &str,
    ) -> Result<Listing<R>, CliError> {
        let mut progress = session.progress(0, label);
        let mut walk = session.client().all::<R>(query);
        let mut listing = Listing {
            items: Vec::new(),
            skipped: Vec::new(),
        };
        let mut total = None;
        while let Some(next) = walk.next() {
            match next {
                Ok(item) => listing.items.push(item),
                Err(scim_client::Error::Undecodable(failure)) => {
                    listing.skipped.push(failure.to_string());
                }
                Err(error) => return Err(error.into()),
            }
            let known = walk.paginator().total_results();
            if known != total {
                total = known;
                progress.set_total(known.unwrap_or(0));
            }
            progress.set((listing.items.len() + listing.skipped.len()) as u64);
        }
        progress.finish();
        for skipped in &listing.skipped {
            session.output().warn(&format!("skipped: {skipped}"));
        }
        Ok(listing)
    }
}
