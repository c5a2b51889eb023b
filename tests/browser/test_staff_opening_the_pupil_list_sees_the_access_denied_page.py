import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_typing_the_pupil_list_address_is_refused_with_a_way_home(page, live_server, staff):
    sign_in(page, staff)
    expect(page.get_by_role("link", name="Pupils")).to_have_count(0)  # not offered in the navigation

    response = page.goto(reverse("schools:pupil_list"))

    assert response.status == 403
    expect(page.get_by_test_id("access-denied")).to_have_text("You do not have access to this page")
    expect(page.get_by_role("main")).to_contain_text("Your role at Oakfield Primary School does not include this page.")
    screenshot(page, "access-denied")
    page.get_by_role("link", name="go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Report a concern")).to_be_visible()
