//! The seed's `AsyncSCIMClient` example: search groups without blocking.
//! `cargo run --example async_search_groups` (a real service needs --features surf-rustls).

#[path = "common/mod.rs"]
mod common;

fn main() -> Result<(), scim_client::Error> {
    let target = common::Target::from_env();
    println!("searching groups asynchronously on {}", target.describe());
    let client = target.async_client(target.options())?;
    common::block_on(async {
        let page = client
            .search_groups(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(2),
            )
            .await?;
        println!(
            "{:?}",
            page.resources
                .iter()
                .map(|g| g.display_name.as_deref())
                .collect::<Vec<_>>()
        );
        Ok(())
    })
}
