//! How fast is the pure core? Building requests and parsing answers.
//! Run with `cargo bench --bench core`.

use divan::{Bencher, black_box};
use scim_client::model::{ListResponse, Name, TypedValue, User};
use scim_client::{BearerToken, Endpoint};

fn main() {
    divan::main();
}

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-bench").unwrap())
}

fn sample_user(i: usize) -> User {
    User {
        id: format!("W{i:08}").into(),
        user_name: format!("user{i}").into(),
        name: Name {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![TypedValue {
            value: format!("user{i}@example.com").into(),
            primary: true.into(),
            ..TypedValue::default()
        }]
        .into(),
        active: true.into(),
        ..User::default()
    }
}

#[divan::bench]
fn build_read_user(bencher: Bencher) {
    let e = endpoint();
    bencher.bench_local(|| e.read_user(black_box("W0ABCDEF1")).unwrap());
}

#[divan::bench]
fn build_search_users_with_filter(bencher: Bencher) {
    let e = endpoint();
    bencher.bench_local(|| {
        e.search_users(1, 1000, Some(black_box(r#"userName eq "ada""#)))
            .unwrap()
    });
}

#[divan::bench]
fn build_create_user(bencher: Bencher) {
    let e = endpoint();
    let user = sample_user(1);
    bencher.bench_local(|| e.create_user(black_box(&user)).unwrap());
}

#[divan::bench]
fn parse_page_of_1000_users(bencher: Bencher) {
    let page = ListResponse {
        total_results: Some(1000),
        resources: (0..1000).map(sample_user).collect(),
        ..ListResponse::default()
    };
    let bytes = serde_json::to_vec(&page).unwrap();
    bencher
        .counter(divan::counter::BytesCount::new(bytes.len()))
        .bench_local(|| serde_json::from_slice::<ListResponse<User>>(black_box(&bytes)).unwrap());
}
