//! How fast is the pure core? Building requests (time and heap allocations
//! per request), parsing and serialising 1000-user pages, each next to
//! `serde_json::Value` on the same bytes. Run with `cargo bench --bench core`.

#[path = "common/mod.rs"]
mod common;

use common::Shape;
use divan::counter::BytesCount;
use divan::{AllocProfiler, Bencher, black_box};
use scim_client::filter::Filter;
use scim_client::model::{BulkRequest, ListResponse, PatchOp, PatchPath, SearchRequest, User};
use scim_client::{BearerToken, BulkLimits, Endpoint};
use serde_json::Value;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-bench").unwrap())
}

fn sample_user() -> User {
    serde_json::from_value(common::user(7, Shape::SlackV1)).unwrap()
}

mod build {
    use super::*;

    #[divan::bench]
    fn search_users(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| {
            e.search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(1000)
                    .filter(black_box(r#"userName eq "ada""#)),
            )
            .unwrap()
        });
    }

    #[divan::bench]
    fn read_user(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| e.read_user(black_box("W0ABCDEF1")).unwrap());
    }

    #[divan::bench]
    fn create_user(bencher: Bencher) {
        let (e, user) = (endpoint(), sample_user());
        bencher.bench_local(|| e.create_user(black_box(&user)).unwrap());
    }

    #[divan::bench]
    fn patch_user(bencher: Bencher) {
        let e = endpoint();
        let partial = User {
            title: "Analyst".into(),
            ..User::default()
        };
        bencher.bench_local(|| {
            e.patch_user(black_box("W0ABCDEF1"), black_box(&partial))
                .unwrap()
        });
    }

    #[divan::bench]
    fn update_user(bencher: Bencher) {
        let (e, user) = (endpoint(), sample_user());
        bencher.bench_local(|| e.update_user(black_box(&user)).unwrap());
    }

    #[divan::bench]
    fn delete_user(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| e.delete_user(black_box("W0ABCDEF1")).unwrap());
    }

    #[divan::bench]
    fn search_groups(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| {
            e.search_groups(
                &scim_client::model::SearchRequest::new()
                    .start_index(black_box(1))
                    .count(100),
            )
            .unwrap()
        });
    }

    #[divan::bench]
    fn read_group(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| e.read_group(black_box("S0ENG")).unwrap());
    }

    #[divan::bench]
    fn create_group(bencher: Bencher) {
        let e = endpoint();
        let group = serde_json::json!({"displayName": "eng", "members": [{"value": "W1"}, {"value": "W2"}]});
        bencher.bench_local(|| e.create_group(black_box(&group)).unwrap());
    }

    #[divan::bench]
    fn patch_group(bencher: Bencher) {
        let e = endpoint();
        // Rendered once, outside the measure: the builder is what is timed.
        let partial = scim_client::provider::MemberChanges::new(Vec::<String>::new(), ["W1"])
            .changes()
            .render(scim_client::provider::PatchForm::PartialResource, None)
            .unwrap();
        bencher.bench_local(|| {
            e.patch_group(black_box("S0ENG"), black_box(&partial))
                .unwrap()
        });
    }

    #[divan::bench]
    fn update_group(bencher: Bencher) {
        let e = endpoint();
        let group = serde_json::json!({"id": "S0ENG", "displayName": "eng"});
        bencher.bench_local(|| e.update_group(black_box(&group)).unwrap());
    }

    #[divan::bench]
    fn delete_group(bencher: Bencher) {
        let e = endpoint();
        bencher.bench_local(|| e.delete_group(black_box("S0ENG")).unwrap());
    }

    #[divan::bench]
    fn api_call(bencher: Bencher) {
        let e = endpoint();
        let headers = http::HeaderMap::new();
        bencher.bench_local(|| {
            e.api_call(
                http::Method::GET,
                black_box("Users"),
                &[("startIndex", "1")],
                None,
                &headers,
            )
            .unwrap()
        });
    }

    #[divan::bench]
    fn scim2_query_users(bencher: Bencher) {
        let e = endpoint().with_dialect(scim_client::Dialect::Scim2);
        let query = SearchRequest::new()
            .filter(Filter::sw("userName", "a"))
            .start_index(1)
            .count(100)
            .attributes(&["userName"]);
        bencher.bench_local(|| e.search_users(black_box(&query)).unwrap());
    }

    #[divan::bench]
    fn scim2_patch_op(bencher: Bencher) {
        let e = endpoint().with_dialect(scim_client::Dialect::Scim2);
        let path = PatchPath::value_filter("emails", Filter::eq("type", "work"), Some("value"));
        let patch = PatchOp::new()
            .replace(&path, "a@example.com")
            .remove("title");
        bencher.bench_local(|| e.patch_user(black_box("u1"), black_box(&patch)).unwrap());
    }

    #[divan::bench]
    fn scim2_bulk(bencher: Bencher) {
        let e = endpoint().with_dialect(scim_client::Dialect::Scim2);
        let bulk = BulkRequest::new()
            .post("/Users", "a", serde_json::json!({"userName": "a"}))
            .delete("/Users/b");
        bencher.bench_local(|| e.bulk(black_box(&bulk), &BulkLimits::default()).unwrap());
    }
}

const SHAPES: [Shape; 3] = [Shape::SlackV1, Shape::SlackV1Unknown, Shape::Scim2];

/// Parsing a 1000-user page, typed and as `serde_json::Value`.
mod parse {
    use super::*;

    #[divan::bench(args = SHAPES)]
    fn typed(bencher: Bencher, shape: Shape) {
        let bytes = common::page(1000, shape);
        bencher
            .counter(BytesCount::new(bytes.len()))
            .bench_local(|| ListResponse::<User>::from_json(black_box(&bytes)).unwrap());
    }

    #[divan::bench(args = SHAPES)]
    fn value(bencher: Bencher, shape: Shape) {
        let bytes = common::page(1000, shape);
        bencher
            .counter(BytesCount::new(bytes.len()))
            .bench_local(|| serde_json::from_slice::<Value>(black_box(&bytes)).unwrap());
    }

    /// The same page with 3 of its 1000 users broken (`"active": "maybe"`):
    /// the one-pass decode fails, and the page is decoded resource by
    /// resource, each failure located.
    #[divan::bench(args = SHAPES)]
    fn typed_with_3_broken(bencher: Bencher, shape: Shape) {
        let mut page: Value = serde_json::from_slice(&common::page(1000, shape)).unwrap();
        for i in [17, 500, 999] {
            page["Resources"][i]["active"] = Value::from("maybe");
        }
        let bytes = serde_json::to_vec(&page).unwrap();
        let decoded = ListResponse::<User>::from_json(&bytes).unwrap();
        assert_eq!((decoded.resources.len(), decoded.failed.len()), (997, 3));
        bencher
            .counter(BytesCount::new(bytes.len()))
            .bench_local(|| ListResponse::<User>::from_json(black_box(&bytes)).unwrap());
    }
}

/// Serialising the same page: serde on the typed page, and `Value`.
mod serialize {
    use super::*;

    fn typed_page(shape: Shape) -> (usize, ListResponse<User>) {
        let bytes = common::page(1000, shape);
        (bytes.len(), serde_json::from_slice(&bytes).unwrap())
    }

    #[divan::bench(args = SHAPES)]
    fn typed(bencher: Bencher, shape: Shape) {
        let (len, page) = typed_page(shape);
        bencher
            .counter(BytesCount::new(len))
            .bench_local(|| serde_json::to_vec(black_box(&page)).unwrap());
    }

    #[divan::bench(args = SHAPES)]
    fn value(bencher: Bencher, shape: Shape) {
        let bytes = common::page(1000, shape);
        let page: Value = serde_json::from_slice(&bytes).unwrap();
        bencher
            .counter(BytesCount::new(bytes.len()))
            .bench_local(|| serde_json::to_vec(black_box(&page)).unwrap());
    }
}

/// Scrubbing an error body of the request's credentials (the token alone
/// and `Bearer …`), each body echoing the token once, upper-cased,
/// JSON-escaped and percent-encoded: a SCIM error, a 64 KiB HTML page whose
/// only escapes are the echo's, and 1 MiB of JSON with `\/` and `%2F`
/// throughout. Each reads all five views (the text holds `\` and `%`).
mod scrub {
    use super::*;
    use scim_client::Secrets;

    const TOKEN: &str = "xoxp-7Kd/Qw+Zr9=Mv2/Lp+Xs4==";

    fn body(kind: &str) -> String {
        let echo = r"XOXP-7Kd\/Qw%2BZr9=Mv2\/Lp+Xs4==";
        match kind {
            "scim error" => format!(
                r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","scimType":"invalidToken","detail":"token {echo} refused, see https:\/\/example.com\/docs\/auth"}}"#
            ),
            "html 64 KiB" => {
                let filler = "<p>The service is down for maintenance.</p>\n".repeat(1450);
                format!("<html><body>{filler}<!-- {echo} --></body></html>")
            }
            _ => {
                let filler = r#"{"url":"https:\/\/example.com\/a%2Fb","n":1},"#.repeat(24_000);
                format!(r#"{{"items":[{filler}{{"token":"{echo}"}}]}}"#)
            }
        }
    }

    #[divan::bench(args = ["scim error", "html 64 KiB", "json 1 MiB with escapes"])]
    fn error_body(bencher: Bencher, kind: &str) {
        let secrets = Secrets::new([format!("Bearer {TOKEN}"), TOKEN.to_owned()]);
        let text = body(kind);
        assert_eq!(
            secrets.scrub(&text).matches(scim_client::REDACTED).count(),
            1
        );
        bencher
            .counter(BytesCount::new(text.len()))
            .bench_local(|| secrets.scrub(black_box(&text)).len());
    }
}
