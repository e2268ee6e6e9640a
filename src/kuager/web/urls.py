"""URL configuration: the team's pages, the public site (/public/), login, language, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

from drf_spectacular.views import SpectacularAPIView

from kuager.accounts import views as account_views
from kuager.web import advocacy, api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                         authentication_form=account_views.LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", account_views.verify, name="two_factor_verify"),
    path("accounts/2fa/setup/", account_views.setup, name="two_factor_setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("preferences/script/", views.set_script, name="set_script"),
    path("intake/", views.intake, name="intake"),
    path("intake/lookup/", views.intake_lookup, name="intake_lookup"),
    path("testimonies/", views.testimony_list, name="testimony_list"),
    # Testimony numbers may hold slashes ("2019/15", "register/S0000152"): the documents route comes first.
    path("testimonies/<path:number>/documents/", views.testimony_documents, name="testimony_documents"),
    path("testimonies/<path:number>/", views.testimony_detail, name="testimony_detail"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("names/", views.name_search, name="name_search"),
    path("victims/", views.victim_list, name="victim_list"),
    path("victims/<str:public_id>/", views.victim_detail, name="victim_detail"),
    path("victims/<str:public_id>/publication/", views.victim_publication, name="victim_publication"),
    path("victims/<str:public_id>/unmerge/", views.victim_unmerge, name="victim_unmerge"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<str:a>/<str:b>/", views.review_pair, name="review_pair"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("facilities/", views.facility_list, name="facility_list"),
    path("public/", views.public_home, name="public_home"),
    path("public/victims/", views.public_victims, name="public_victims"),
    path("public/victims/<str:public_id>/", views.public_victim, name="public_victim"),
    path("public/statistics/", views.public_statistics, name="public_statistics"),
    path("public/methodology/", views.public_methodology, name="public_methodology"),
    path("public/facilities/", views.public_facilities, name="public_facilities"),
    path("victims/<str:public_id>/wgeid/", advocacy.wgeid_draft, name="victim_wgeid"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api.api_docs, name="api_docs"),
    path("api/victims/", api.victims, name="api_victims"),
    path("api/victims/<str:public_id>/", api.victim, name="api_victim"),
    path("api/victims/<str:public_id>/publication/", api.victim_publication, name="api_victim_publication"),
    path("api/testimonies/", api.testimonies, name="api_testimonies"),
    # as for the pages: the documents route before the testimony's (numbers may hold slashes)
    path("api/testimonies/<path:number>/documents/", api.testimony_documents, name="api_testimony_documents"),
    path("api/testimonies/<path:number>/", api.testimony, name="api_testimony"),
    path("api/public/victims/", api.public_victims, name="api_public_victims"),
    path("api/public/victims/<str:public_id>/", api.public_victim, name="api_public_victim"),
    path("api/names/", api.names, name="api_names"),
    path("api/review/candidates/", api.review_candidates, name="api_review_candidates"),
    path("api/review/decisions/", api.review_decide, name="api_review_decide"),
    path("api/dashboard/", api.dashboard, name="api_dashboard"),
    path("api/", api.api_index, name="api_index"),
    re_path(r"^api/(?P<rest>.*)$", api.api_not_found, name="api_not_found"),  # after every other api/ path
    path("admin/", admin.site.urls),
    # the admin's CSS and JS, found in the installed apps (no collectstatic needed), whatever DEBUG says:
    # `kuager serve` runs Django's server without debug mode, which serves no static files by itself
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}, name="static"),
]
