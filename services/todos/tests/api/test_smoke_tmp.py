def test_create_and_get(alice):
    todo = alice.create_todo(title="  hello ")
    assert todo["title"] == "hello"
    r = alice.request("GET", f"/api/v1/todos/{todo['id']}")
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"1"'
    r = alice.request("GET", "/api/v1/todos/")
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 1
