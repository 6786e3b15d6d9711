//! [`Listing`]: every resource a query matches, read page by page with progress.

use scim_client::Resource;
use scim_client::model::SearchRequest;

use crate::error::CliError;
use crate::session::Session;

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
