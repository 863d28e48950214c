"""Confidential locations were searched by their city's centroid, which in a small
city lies near the address; give each one a decoy instead (directory/geo.py)."""

from django.db import migrations


def draw_decoys(apps, schema_editor):
    from directory import geo

    Location = apps.get_model("directory", "Location")
    done = []  # places listed twice share one decoy, as on save
    for location in Location.objects.filter(is_confidential=True).iterator():
        point = geo.search_point(location, None, done) or (None, None)
        location.search_latitude, location.search_longitude = point
        Location.objects.filter(pk=location.pk).update(
            search_latitude=point[0], search_longitude=point[1]
        )
        if point[0] is not None:
            done.append(location)


def back_to_city_centroids(apps, schema_editor):
    from directory import geo

    Location = apps.get_model("directory", "Location")
    for location in Location.objects.filter(is_confidential=True).iterator():
        point = geo.city_centroid(location.city, location.state) or (None, None)
        Location.objects.filter(pk=location.pk).update(
            search_latitude=point[0], search_longitude=point[1]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0010_random_logo_file_names"),
    ]

    operations = [migrations.RunPython(draw_decoys, back_to_city_centroids)]
