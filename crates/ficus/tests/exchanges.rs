//! A small gift exchange end to end over HTTP: a maintainer makes an
//! unrevealed, anonymous collection a gift exchange; three participants
//! sign up through the form (a tag the archive lacks is refused); matching
//! waits for sign-ups to close, then the match report names who was left
//! out and why; assignments go out; a writer fulfils theirs from the work
//! form (the recipient takes the gift although they accept none from
//! strangers, and the work is a mystery until the reveal); a defaulted
//! gift gets a pinch hitter; the reveal shows the work and its creator.
//! Who may see sign-ups and assignments is checked along the way, and each
//! writer's assignment reaches them once by e-mail (a real SMTP server on
//! loopback, when the test tools are there).

mod support;

use ficus_testkit::Tool;
use support::smtp::{Smtp, free_port, wait_for};
use support::{Browser, attr, count, post_simple_work, signup, text};

fn sign_up_for(
    b: &mut Browser,
    server: &ficus_testkit::ServerProcess,
    request: &str,
    offer: &str,
) -> reqwest::blocking::Response {
    b.submit(
        server,
        "/collections/Winter_Swap/signups",
        &[
            (
                "challenge_signup[requests_attributes][0][fandom_tagnames]",
                request,
            ),
            (
                "challenge_signup[requests_attributes][0][description]",
                "Something cosy, please.",
            ),
            (
                "challenge_signup[offers_attributes][0][fandom_tagnames]",
                offer,
            ),
        ],
    )
}

fn settings(b: &mut Browser, server: &ficus_testkit::ServerProcess, open: bool) -> u16 {
    let mut fields = vec![
        ("gift_exchange[requests_num_required]", "1"),
        ("gift_exchange[requests_num_allowed]", "1"),
        ("gift_exchange[offers_num_required]", "1"),
        ("gift_exchange[offers_num_allowed]", "1"),
        (
            "gift_exchange[potential_match_settings_attributes][num_required_fandoms]",
            "1",
        ),
        (
            "gift_exchange[assignments_due_at_string]",
            "2030-01-01 12:00",
        ),
    ];
    if open {
        fields.push(("gift_exchange[signup_open]", "1"));
    }
    b.submit(server, "/collections/Winter_Swap/gift_exchange", &fields)
        .status()
        .as_u16()
}

/// The id at the end of a redirect's location.
fn id_in(resp: &reqwest::blocking::Response) -> i64 {
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().expect("ascii");
    location
        .split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("an id in {location}"))
}

#[test]
fn a_gift_exchange_from_sign_up_to_reveal() {
    let dir = ficus_testkit::temp_dir();
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let smtp = Tool::Ao3Clients
        .require(support::smtp::python)
        .map(|python| Smtp::start(&python, port, &maildir));
    let server = support::smtp::serve(&dir.path().join("data"), port);
    let mut host = Browser::new();
    let mut bea = Browser::new();
    let mut cal = Browser::new();
    let mut dan = Browser::new();
    let mut eve = Browser::new();
    let mut guest = Browser::new();
    for (b, login) in [
        (&mut host, "host"),
        (&mut bea, "bea"),
        (&mut cal, "cal"),
        (&mut dan, "dan"),
        (&mut eve, "eve"),
    ] {
        assert_eq!(signup(b, &server, login).status(), 303);
    }
    // The archive's fandoms (a prompt names tags the archive has).
    post_simple_work(&mut host, &server, "Seed", "Alpha, Beta, Gamma");

    let resp = host.submit(
        &server,
        "/collections",
        &[
            ("collection[name]", "Winter_Swap"),
            ("collection[title]", "Winter Swap"),
            (
                "collection[collection_preference_attributes][unrevealed]",
                "1",
            ),
            (
                "collection[collection_preference_attributes][anonymous]",
                "1",
            ),
        ],
    );
    assert_eq!(resp.status(), 303);
    // Only maintainers make it an exchange.
    assert_eq!(settings(&mut bea, &server, true), 403);
    assert_eq!(
        sign_up_for(&mut bea, &server, "Alpha", "Beta").status(),
        404,
        "not an exchange yet"
    );
    assert_eq!(settings(&mut host, &server, true), 303);
    let page = guest.page(&server.url("/collections/Winter_Swap"));
    assert!(text(&page, "dd.challenge").contains("sign-ups open"));

    // Sign-ups through the form.
    let form = bea.page(&server.url("/collections/Winter_Swap/signups/new"));
    assert_eq!(count(&form, "fieldset.requests fieldset.prompt"), 1);
    let resp = sign_up_for(&mut bea, &server, "Nowhere", "Beta");
    assert_eq!(resp.status(), 422);
    let page = scraper::Html::parse_document(&resp.text().expect("body"));
    assert_eq!(
        text(&page, "#error li"),
        "There is no fandom tag named \"Nowhere\" on the archive."
    );
    let bea_signup = id_in(&sign_up_for(&mut bea, &server, "Alpha", "Beta"));
    assert_eq!(
        id_in(&sign_up_for(&mut cal, &server, "Beta", "Alpha")),
        bea_signup + 1
    );
    let dan_signup = id_in(&sign_up_for(&mut dan, &server, "Gamma", "Alpha"));
    let mine = bea.page(&server.url(&format!("/collections/Winter_Swap/signups/{bea_signup}")));
    assert_eq!(text(&mine, "dd.fandoms"), "Alpha Beta");
    assert_eq!(
        count(&mine, &format!("a[href$='/signups/{bea_signup}/edit']")),
        1,
        "editable while open"
    );
    // A sign-up is its participant's and the maintainers' to read.
    for (b, want) in [(&mut cal, 404), (&mut host, 200)] {
        let status = b
            .get(&server.url(&format!("/collections/Winter_Swap/signups/{bea_signup}")))
            .status();
        assert_eq!(status, want);
    }
    assert_eq!(
        bea.get(&server.url("/collections/Winter_Swap/signups"))
            .status(),
        403
    );
    let list = host.page(&server.url("/collections/Winter_Swap/signups"));
    assert_eq!(count(&list, "li.signup"), 3);

    // Matching waits for sign-ups to close.
    let resp = host.submit(
        &server,
        "/collections/Winter_Swap/potential_matches/generate",
        &[],
    );
    assert_eq!(resp.status(), 400);
    assert_eq!(settings(&mut host, &server, false), 303);
    assert_eq!(
        sign_up_for(&mut eve, &server, "Alpha", "Beta").status(),
        422
    );
    assert_eq!(
        bea.submit(
            &server,
            "/collections/Winter_Swap/potential_matches/generate",
            &[]
        )
        .status(),
        403
    );
    let resp = host.submit(
        &server,
        "/collections/Winter_Swap/potential_matches/generate",
        &[],
    );
    assert_eq!(resp.status(), 303);
    let report = host.page(&server.url("/collections/Winter_Swap/potential_matches"));
    assert_eq!(count(&report, "table.assignments tbody tr"), 3);
    let unmatched = text(&report, "table.unmatched");
    assert!(
        unmatched.contains("dan") && unmatched.contains("no one offered anything they requested"),
        "{unmatched}"
    );
    // Nothing is sent yet: no one sees an assignment.
    let own = bea.page(&server.url("/users/bea/assignments"));
    assert_eq!(count(&own, "li.assignment"), 0);
    let resp = host.submit(
        &server,
        "/collections/Winter_Swap/assignments/send_out",
        &[],
    );
    assert_eq!(resp.status(), 303);

    // bea writes for cal (Beta); cal and dan both offer Alpha for bea.
    let own = bea.page(&server.url("/users/bea/assignments"));
    assert_eq!(count(&own, "li.assignment"), 1);
    assert!(text(&own, "li.assignment h4").starts_with("For cal"));
    let href = attr(&own, "li.assignment h4 a", "href").expect("link");
    let assignment: i64 = href
        .rsplit('/')
        .next()
        .and_then(|i| i.parse().ok())
        .expect("id");
    let page = bea.page(&server.url(&href));
    assert!(text(&page, "div.recipient.signup").contains("Something cosy, please."));
    // Each writer's assignment comes by e-mail, once; the recipient's
    // message (cal writes or not) never names who writes for them.
    if smtp.is_some() {
        let got = wait_for(&maildir, 2);
        assert_eq!(got.len(), 2, "one message per writer");
        let to_bea = got
            .iter()
            .find(|m| m.header("to") == "bea@example.org")
            .expect("bea's assignment");
        assert!(
            to_bea
                .header("subject")
                .contains("Your assignment for Winter Swap")
        );
        assert!(to_bea.body.contains("a gift for cal"), "{}", to_bea.body);
        assert!(to_bea.body.contains(&href), "{}", to_bea.body);
        assert!(to_bea.header("list-unsubscribe").contains("/challenges/"));
        assert!(got.iter().all(|m| !m.body.contains("bea writes")));
    }
    assert_eq!(
        cal.get(&server.url(&href)).status(),
        404,
        "the recipient does not see who writes for them"
    );
    // cal accepts no gifts from strangers; the assignment's gift goes
    // through all the same.
    let form = bea.page(&server.url(&format!("/works/new?assignment_id={assignment}")));
    assert_eq!(
        count(
            &form,
            &format!("input#work_challenge_assignment_{assignment}[checked]")
        ),
        1
    );
    let assignment_field = assignment.to_string();
    let fields = [
        (
            "work[challenge_assignment_ids][]",
            assignment_field.as_str(),
        ),
        ("work[chapter_attributes][content]", "<p>A gift.</p>"),
    ];
    // Someone else cannot post to it.
    let dan_form = dan.page(&server.url("/works/new"));
    let pseud = attr(
        &dan_form,
        "input[name='work[pseud_ids][]'][checked]",
        "value",
    )
    .expect("pseud");
    let resp = dan.submit(
        &server,
        "/works",
        &[
            ("work[title]", "Not Mine"),
            ("work[pseud_ids][]", pseud.as_str()),
            ("work[rating_string]", "General Audiences"),
            (
                "work[archive_warning_strings][]",
                "No Archive Warnings Apply",
            ),
            ("work[fandom_string]", "Beta"),
            ("work[chapter_attributes][content]", "<p>Words.</p>"),
            (
                "work[challenge_assignment_ids][]",
                assignment_field.as_str(),
            ),
            ("post_button", "Post"),
        ],
    );
    assert_eq!(resp.status(), 422);
    let work = support::post_work_with(&mut bea, &server, "Winter Gift", "Beta", &fields);
    // A mystery until the reveal, to the recipient too.
    for b in [&mut guest, &mut cal] {
        let resp = b.get(&server.url(&format!("/works/{work}")));
        assert_eq!(resp.status(), 404);
        assert!(resp.text().expect("body").contains("Mystery Work"));
    }
    let status = host.page(&server.url("/collections/Winter_Swap/assignments?status=complete"));
    assert_eq!(count(&status, "li.assignment"), 1);
    assert!(text(&status, "li.assignment p.work").contains("Winter Gift"));

    // dan's gift has no giver: a pinch hitter covers it.
    let defaulted = host.page(&server.url("/collections/Winter_Swap/assignments?status=defaulted"));
    assert_eq!(count(&defaulted, "li.assignment"), 1);
    let dan_href = attr(&defaulted, "li.assignment h4 a", "href").expect("link");
    assert!(text(&defaulted, "li.assignment h4").starts_with("For dan"));
    let resp = host.submit(
        &server,
        &format!("{dan_href}/cover"),
        &[("pinch_hitter[login]", "dan")],
    );
    assert_eq!(resp.status(), 422, "not their own gift");
    let resp = host.submit(
        &server,
        &format!("{dan_href}/cover"),
        &[("pinch_hitter[login]", "eve")],
    );
    assert_eq!(resp.status(), 303);
    let eves = eve.page(&server.url("/users/eve/assignments"));
    assert!(text(&eves, "li.assignment h4").starts_with("For dan"));
    if smtp.is_some() {
        let got = wait_for(&maildir, 3);
        assert_eq!(got.len(), 3);
        let to_eve = got
            .iter()
            .find(|m| m.header("to") == "eve@example.org")
            .expect("the pinch hitter's message");
        assert!(to_eve.body.contains("Thank you for pinch hitting!"));
        assert!(to_eve.body.contains("a gift for dan"));
    }
    // The pinch hitter reads dan's requests but not others' sign-ups.
    let page = eve.page(&server.url(&dan_href));
    assert!(text(&page, "div.recipient.signup").contains("Gamma"));
    assert_eq!(
        eve.get(&server.url(&format!("/collections/Winter_Swap/signups/{dan_signup}")))
            .status(),
        200
    );
    assert_eq!(
        eve.get(&server.url(&format!("/collections/Winter_Swap/signups/{bea_signup}")))
            .status(),
        404
    );

    // The reveal: the work, its creator and its recipient are shown.
    let resp = host.submit(
        &server,
        "/collections/Winter_Swap",
        &[
            ("collection[name]", "Winter_Swap"),
            ("collection[title]", "Winter Swap"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let page = guest.page(&server.url(&format!("/works/{work}")));
    assert_eq!(text(&page, "h3.byline"), "bea");
    assert!(text(&page, "div.notes.module ul.associations").contains("For cal."));
    let gifts = guest.page(&server.url("/users/cal/gifts"));
    assert_eq!(count(&gifts, &format!("li#work_{work}")), 1);
}

#[test]
fn a_participant_signs_up_and_fulfils_through_the_api() {
    let dir = ficus_testkit::temp_dir();
    let server = support::serve(dir.path());
    let mut host = Browser::new();
    let mut bea = Browser::new();
    let mut cal = Browser::new();
    for (b, login) in [(&mut host, "host"), (&mut bea, "bea"), (&mut cal, "cal")] {
        assert_eq!(signup(b, &server, login).status(), 303);
    }
    post_simple_work(&mut host, &server, "Seed", "Alpha, Beta");
    let resp = host.submit(
        &server,
        "/collections",
        &[
            ("collection[name]", "Winter_Swap"),
            ("collection[title]", "Winter Swap"),
        ],
    );
    assert_eq!(resp.status(), 303);
    let http = reqwest::blocking::Client::new();
    let api = |path: &str| server.url(&format!("/api/v1{path}"));
    let json = support::answer;
    json(
        http.get(api("/collections/Winter_Swap/gift_exchange"))
            .send()
            .expect("get"),
        404,
    );
    assert_eq!(settings(&mut host, &server, true), 303);
    let shown = json(
        http.get(api("/collections/Winter_Swap/gift_exchange"))
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(shown["signups_open"], true);
    assert_eq!(shown["assignments_due_at"], "2030-01-01T12:00:00Z");

    let bea_token = support::api_token(&mut bea, &server, "bea");
    let cal_token = support::api_token(&mut cal, &server, "cal");
    let put = |token: &str, request: &str, offer: &str| {
        http.put(api("/collections/Winter_Swap/signup"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "requests": [{"fandoms": [request], "description": "Snow, please."}],
                "offers": [{"fandoms": [offer]}]
            }))
            .send()
            .expect("put")
    };
    let refused = json(put(&bea_token, "Nowhere", "Beta"), 422);
    assert!(
        refused["error"]["fields"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Nowhere")),
        "{refused}"
    );
    let mine = json(put(&bea_token, "Alpha", "Beta"), 200);
    assert_eq!(mine["requests"][0]["fandoms"], serde_json::json!(["Alpha"]));
    json(
        http.delete(api("/collections/Winter_Swap/signup"))
            .bearer_auth(&bea_token)
            .send()
            .expect("delete"),
        204,
    );
    json(
        http.get(api("/collections/Winter_Swap/signup"))
            .bearer_auth(&bea_token)
            .send()
            .expect("get"),
        404,
    );
    json(put(&bea_token, "Alpha", "Beta"), 200);
    json(put(&cal_token, "Beta", "Alpha"), 200);

    // The maintainer closes sign-ups, matches and sends out.
    assert_eq!(settings(&mut host, &server, false), 303);
    json(put(&cal_token, "Beta", "Alpha"), 422);
    for path in [
        "/collections/Winter_Swap/potential_matches/generate",
        "/collections/Winter_Swap/assignments/send_out",
    ] {
        assert_eq!(host.submit(&server, path, &[]).status(), 303, "{path}");
    }
    let assigned = json(
        http.get(api("/assignments"))
            .bearer_auth(&bea_token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(assigned.as_array().map(Vec::len), Some(1));
    assert_eq!(assigned[0]["recipient"], "cal");
    assert_eq!(assigned[0]["status"], "open");
    assert_eq!(
        assigned[0]["requests"][0]["fandoms"],
        serde_json::json!(["Beta"])
    );
    let id = assigned[0]["id"].as_i64().expect("id");
    let work = |token: &str| {
        http.post(api("/works"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "title": "A Gift Through The API",
                "rating": "General Audiences",
                "warnings": ["No Archive Warnings Apply"],
                "fandoms": ["Beta"],
                "text": "<p>Words.</p>",
                "assignment": id
            }))
            .send()
            .expect("post")
    };
    // Only its writer posts to it.
    json(work(&cal_token), 422);
    let posted = json(work(&bea_token), 201);
    let assigned = json(
        http.get(api("/assignments"))
            .bearer_auth(&bea_token)
            .send()
            .expect("get"),
        200,
    );
    assert_eq!(assigned[0]["status"], "complete");
    assert_eq!(assigned[0]["work_id"], posted["id"]);
}
