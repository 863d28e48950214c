from django.shortcuts import get_object_or_404, render

from .models import Organization


def home(request):
    return render(request, "directory/home.html")


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.public(), slug=slug)
    return render(request, "directory/organization_detail.html", {"organization": organization})
