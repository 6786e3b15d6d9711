//! The seed's `search_groups`: the first page of groups.
//! `cargo run --example search_groups`.

#[path = "common/mod.rs"]
mod common;

fn main() -> Result<(), scim_client::Error> {
    let target = common::Target::from_env();
    println!("searching groups on {}", target.describe());
    let client = target.client(target.options())?;
    let page = client.search_groups(
        &scim_client::model::SearchRequest::new()
            .start_index(1)
            .count(10),
    )?;
    for group in &page.resources {
        let members = group.members.value().map_or(0, Vec::len);
        println!(
            "  {} {:?} ({members} members)",
            group.id.as_deref().unwrap_or("?"),
            group.display_name.as_deref()
        );
    }
    Ok(())
}
