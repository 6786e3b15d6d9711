//! Verify in memory: clean after an apply, then each kind of injected
//! drift found, attribute by attribute, under each profile.

mod common;

use common::*;
use scim_sync::apply::{ApplyOptions, apply_blocking};
use scim_sync::{plan, read_current};

#[test]
fn finds_each_kind_of_injected_drift() {
    for profile in profiles() {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let current = read_current(&client).unwrap();
        let plan = plan(&desired(), &current, &profile, &options()).unwrap();
        let journal = journal_path(&format!("verify-{}", profile.name));
        apply_blocking(
            &client,
            &plan,
            &profile,
            &ApplyOptions::new(journal),
            |_| {},
        )
        .unwrap();
        injected_drift_is_found(&client, &profile);
    }
}
