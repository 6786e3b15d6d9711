//! Bounded memory: 10,000 users streamed from slapd in pages of 500 hold
//! one page at a time. Measured with a counting allocator (its own test
//! binary, one test, so nothing else allocates meanwhile); no timing.

mod common;
#[path = "../../../benches/common/counting_alloc.rs"]
mod counting_alloc;

use std::time::Instant;

use common::*;
use scim_ldap::Directory;

/// Reads the users with `page_size`, dropping each as it comes: the peak
/// heap above the start, the users seen and the requests sent.
fn stream(slapd: &Slapd, page_size: u32) -> (usize, usize, usize) {
    let mut config = slapd.config();
    config.page_size = page_size;
    config.groups = None;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let baseline = counting_alloc::start_peak();
    let seen = runtime.block_on(async {
        let mut directory = Directory::connect(&config).await.expect("bound");
        let (mut seen, mut errors) = (0, 0);
        directory
            .for_each_user(|_, user| {
                seen += 1;
                errors += usize::from(user.is_err());
            })
            .await
            .expect("a read");
        let requests = directory.stats().requests;
        directory.close().await;
        assert_eq!(errors, 1, "user {BAD} only");
        (seen, requests)
    });
    (counting_alloc::peak_since(baseline), seen.0, seen.1)
}

#[test]
fn ten_thousand_users_stream_in_pages_of_500_within_a_page_of_memory() {
    let Some(slapd) = Slapd::start("memory", &directory(10_000, 0)) else {
        return;
    };
    let started = Instant::now();
    let (paged, seen, requests) = stream(&slapd, 500);
    let wall = started.elapsed();
    assert_eq!((seen, requests), (9_990, 20));
    // One request for everything: the whole result is held at once.
    let (whole, seen_whole, one) = stream(&slapd, 10_000);
    assert_eq!((seen_whole, one), (9_990, 1));
    eprintln!(
        "LDAP read of 9,990 users: pages of 500: {requests} requests, peak {} KiB, {wall:?}; \
         one page of 10,000: peak {} KiB",
        paged / 1024,
        whole / 1024
    );
    // Paging holds a 20th of the entries at a time: far less than the whole.
    assert!(paged * 5 < whole, "paged peak {paged} B, whole {whole} B");
    assert!(paged < 4 << 20, "paged peak {paged} B");
}
