//! The service's behaviours as a client sees them: the Slack v1 dialect and
//! faults on demand.

const BASE: &str = "https://scim.test/v2";

mod slack_v1 {
    use http::Method;
    use scim_client::model::{Field, Group, Member, User};
    use scim_client::{ClientOptions, Error, ScimClient};
    use scim_memory::InMemoryService;

    fn client(service: &InMemoryService) -> ScimClient {
        ScimClient::with_transport("xoxp-test", ClientOptions::default(), service.clone()).unwrap()
    }

    fn ada() -> User {
        User {
            user_name: "ada".into(),
            title: "Analyst".into(),
            ..User::default()
        }
    }

    #[test]
    fn errors_come_in_slacks_errors_object() {
        let service = InMemoryService::slack_v1();
        let client = client(&service);
        let err = client.read_user("W0NOPE").unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(api.status, 404);
        let body: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
        assert_eq!(body["Errors"]["code"], 404);
        assert!(body["Errors"]["description"].is_string());

        let err = client
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(10)
                    .filter("foo"),
            )
            .unwrap_err();
        assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
        assert!(
            err.api_error()
                .unwrap()
                .scim
                .as_ref()
                .unwrap()
                .detail
                .as_deref()
                .unwrap()
                .starts_with("no_filters")
        );
    }

    #[test]
    fn users_are_created_active_with_slack_ids_and_v1_schemas() {
        let service = InMemoryService::slack_v1();
        let created = client(&service).create_user(&ada()).unwrap();
        assert!(created.id.as_deref().unwrap().starts_with('W'));
        assert_eq!(created.active, Field::Value(true));
        assert_eq!(
            created.schemas.value().unwrap(),
            &["urn:scim:schemas:core:1.0".to_owned()]
        );
        let err = client(&service)
            .create_user(&User {
                user_name: "ADA".into(),
                ..User::default()
            })
            .unwrap_err();
        assert_eq!(
            err.status(),
            Some(http::StatusCode::CONFLICT),
            "userName is unique without regard to case"
        );
    }

    #[test]
    fn partial_patch_overwrites_and_null_clears() {
        let service = InMemoryService::slack_v1();
        let client = client(&service);
        let id = client
            .create_user(&ada())
            .unwrap()
            .id
            .value()
            .cloned()
            .unwrap();
        let partial = User {
            nick_name: "countess".into(),
            title: Field::Null,
            ..User::default()
        };
        let patched = client
            .patch_user(&id, &partial)
            .unwrap()
            .expect("Slack answers a user PATCH with the user");
        assert_eq!(patched.nick_name.as_deref(), Some("countess"));
        assert!(patched.title.is_absent(), "null cleared the title");
        assert_eq!(
            patched.user_name.as_deref(),
            Some("ada"),
            "absent attributes are kept"
        );
    }

    #[test]
    fn delete_deactivates_a_user_and_can_be_repeated() {
        let service = InMemoryService::slack_v1();
        let client = client(&service);
        let id = client
            .create_user(&ada())
            .unwrap()
            .id
            .value()
            .cloned()
            .unwrap();
        client.delete_user(&id).unwrap();
        client.delete_user(&id).unwrap();
        assert_eq!(client.read_user(&id).unwrap().active, Field::Value(false));
    }

    #[test]
    fn group_members_are_added_and_removed_and_patch_and_delete_answer_204() {
        let service = InMemoryService::slack_v1();
        let client = client(&service);
        let ids: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|n| {
                client
                    .create_user(&User {
                        user_name: (*n).into(),
                        ..User::default()
                    })
                    .unwrap()
                    .id
                    .value()
                    .cloned()
                    .unwrap()
            })
            .collect();
        let group = Group {
            display_name: "eng".into(),
            members: vec![
                Member::addition(ids[0].clone()),
                Member::addition(ids[1].clone()),
            ]
            .into(),
            ..Group::default()
        };
        let group_id = client
            .create_group(&group)
            .unwrap()
            .id
            .value()
            .cloned()
            .unwrap();
        assert!(group_id.starts_with('S'));
        let change = Group {
            members: vec![
                Member::removal(ids[0].clone()),
                Member::addition(ids[2].clone()),
            ]
            .into(),
            ..Group::default()
        };
        let raw = client.endpoint().patch_group(&group_id, &change).unwrap();
        let answer = service.handle(raw.request());
        assert_eq!(answer.status(), 204);
        let members: Vec<String> = client
            .read_group(&group_id)
            .unwrap()
            .members
            .value()
            .unwrap()
            .iter()
            .filter_map(|m| m.value.value().cloned())
            .collect();
        assert_eq!(members, [ids[1].clone(), ids[2].clone()]);
        let delete = client.endpoint().delete_group(&group_id).unwrap();
        assert_eq!(service.handle(delete.request()).status(), 204);
        assert!(matches!(client.read_group(&group_id), Err(Error::Api(e)) if e.status == 404));
    }

    #[test]
    fn search_pages_like_slack() {
        let service = InMemoryService::slack_v1();
        for i in 0..25 {
            service
                .seed_user(serde_json::json!({"userName": format!("user{i:02}")}))
                .unwrap();
        }
        let client = client(&service);
        let page = client
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(21)
                    .count(10),
            )
            .unwrap();
        assert_eq!(
            (page.total_results, page.items_per_page, page.start_index),
            (Some(25), Some(5), Some(21))
        );
        let filtered = client
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(1000)
                    .filter(r#"userName sw "user1""#),
            )
            .unwrap();
        assert_eq!(filtered.total_results, Some(10));
        // Without count Slack serves 10; above 1000 it serves 1000.
        let default = client
            .api_call(
                Method::GET,
                "Users",
                &[("startIndex", "1")],
                None,
                &Default::default(),
            )
            .unwrap();
        assert_eq!(default.json().unwrap()["itemsPerPage"], 10);
    }
}

mod faults {
    use std::time::Duration;

    use scim_client::model::User;
    use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers, ServerErrorRetryHandler};
    use scim_client::{ClientOptions, RetryAfter, ScimClient};
    use scim_memory::{Fault, InMemoryService};

    fn client(service: &InMemoryService, handlers: RetryHandlers) -> ScimClient {
        let options = ClientOptions {
            retry_handlers: handlers,
            ..ClientOptions::scim2(super::BASE)
        };
        ScimClient::with_transport("t", options, service.clone()).unwrap()
    }

    #[test]
    fn a_rate_limit_after_the_nth_request_is_retried_with_the_rate_limit_handler() {
        let service = InMemoryService::scim2();
        service.inject(
            1,
            1,
            Fault::RateLimited {
                retry_after: "30".into(),
            },
        );
        let mut handlers = RetryHandlers::default();
        handlers.push(RateLimitErrorRetryHandler::new(1));
        let client = client(&service, handlers);
        let id = client
            .create_user(&User {
                user_name: "ada".into(),
                ..User::default()
            })
            .unwrap()
            .id
            .value()
            .cloned()
            .unwrap();
        assert_eq!(
            client.read_user(&id).unwrap().user_name.as_deref(),
            Some("ada")
        );
        assert_eq!(
            service.requests_received(),
            3,
            "create, the 429, and the retry"
        );
    }

    #[test]
    fn without_the_handler_the_429_is_returned_with_its_retry_after() {
        let service = InMemoryService::scim2();
        service.inject(
            0,
            1,
            Fault::RateLimited {
                retry_after: "1.5".into(),
            },
        );
        let err = client(&service, RetryHandlers::default())
            .read_user("x")
            .unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(api.status, 429);
        assert_eq!(
            api.retry_after,
            Some(RetryAfter::Delay(Duration::from_millis(1500)))
        );
        assert_eq!(service.requests_received(), 1);
    }

    #[test]
    fn server_errors_are_retried_only_for_idempotent_requests() {
        let service = InMemoryService::scim2();
        service.inject(0, 1, Fault::Status(503));
        let mut handlers = RetryHandlers::none();
        handlers.push(ServerErrorRetryHandler::new(1));
        let client = client(&service, handlers);
        let err = client
            .create_user(&User {
                user_name: "a".into(),
                ..User::default()
            })
            .unwrap_err();
        assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
        assert!(
            err.api_error()
                .unwrap()
                .body_text()
                .contains("injected fault")
        );
        service.inject(service.requests_received(), 2, Fault::Status(500));
        let err = client.search_users(&Default::default()).unwrap_err();
        assert_eq!(
            err.status(),
            Some(http::StatusCode::INTERNAL_SERVER_ERROR),
            "two 500s outlast one retry"
        );
        assert_eq!(service.requests_received(), 3);
        assert!(client.search_users(&Default::default()).is_ok());
    }
}

#[test]
fn a_kind_from_another_service_reads_as_empty_not_a_panic() {
    let a = scim_memory::InMemoryService::scim2();
    let b = scim_memory::InMemoryService::scim2();
    let devices = a.add_resource_type("Device", "Devices", "urn:example:Device");
    assert_eq!(b.len(devices), 0);
}
