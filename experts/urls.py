urlpatterns = []
app_name = "experts"
