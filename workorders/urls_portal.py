from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [path("requests/", RedirectView.as_view(url="/"), name="request_list")]
