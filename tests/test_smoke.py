from tests.support import login, text_of


def test_coordinator_sees_dashboard(client, world):
    login(client, "coord.a@test.org")
    response = client.get("/")
    assert response.status_code == 200
    assert "Association Alpha" in text_of(response)
