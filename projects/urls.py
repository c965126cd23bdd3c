from django.urls import path
from django.views.generic import RedirectView

# Replaced by the portal's enterprise pages; ``signup`` is named here so the header links work.
urlpatterns = [path("signup/", RedirectView.as_view(url="/accounts/login/"), name="signup")]
