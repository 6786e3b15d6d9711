//! The seed's `search_users`: one page of users matching a filter.
//! `cargo run --example search_users` (see examples/common for targets).

#[path = "common/mod.rs"]
mod common;

fn main() -> Result<(), scim_client::Error> {
    let target = common::Target::from_env();
    println!("searching users on {}", target.describe());
    let client = target.client(target.options())?;
    let page = client.search_users(
        &scim_client::model::SearchRequest::new()
            .start_index(1)
            .count(100)
            .filter(r#"userName Eq "carly""#),
    )?;
    println!(
        "{} of {:?} users match:",
        page.resources.len(),
        page.total_results
    );
    for user in &page.resources {
        println!(
            "  {} {:?}",
            user.id.as_deref().unwrap_or("?"),
            user.user_name.as_deref()
        );
    }
    Ok(())
}
