/* Map of centres (evaluation): commune outlines drawn from local GeoJSON, no tile server.
   Data comes from the page (json_script "map-data"); the table below the map is the
   accessible alternative. */
(function () {
  "use strict";
  var element = document.getElementById("evaluation-map");
  var source = document.getElementById("map-data");
  if (!element || !source || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var counts = {};
  (data.communes || []).forEach(function (commune) {
    counts[commune.code] = commune;
  });

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  // Shades of blue by number of requests; masked counts ("< 3") get the lightest shade.
  function fillFor(commune) {
    if (!commune) {
      return "#f3f6f9";
    }
    var n = commune.count;
    if (n === null || n < 3) {
      return "#d6e4f0";
    }
    if (n < 10) {
      return "#9dbfdc";
    }
    if (n < 50) {
      return "#5b8fbf";
    }
    return "#2c6296";
  }

  // No fade-in: a popup half faded in has the contrast of a half-transparent text (and
  // motion is not needed to read it).
  var map = L.map(element, {
    attributionControl: false,
    zoomSnap: 0.25,
    keyboard: true,
    fadeAnimation: false,
  });
  L.control.attribution({ prefix: false }).addAttribution(escapeHtml(data.credit)).addTo(map);

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("GeoJSON " + response.status);
      }
      return response.json();
    });
  }

  // Permanent commune labels sit at each commune's centre: neighbours (Marseille, Septèmes,
  // Les Pennes-Mirabeau) would cover one another. Each label that overlaps one already
  // placed is moved down below it, so that every figure stays readable.
  function separateLabels() {
    var labels = Array.prototype.slice.call(element.querySelectorAll(".commune-count"));
    labels.forEach(function (label) {
      label.style.marginTop = "0px";
    });
    var placed = [];
    labels
      .map(function (label) {
        return { label: label, rect: label.getBoundingClientRect() };
      })
      .sort(function (a, b) {
        return a.rect.top - b.rect.top || a.rect.left - b.rect.left;
      })
      .forEach(function (item) {
        var shift = 0;
        var moved = true;
        while (moved) {
          moved = false;
          for (var i = 0; i < placed.length; i += 1) {
            var other = placed[i];
            var top = item.rect.top + shift;
            var bottom = item.rect.bottom + shift;
            var overlaps = item.rect.left < other.right + 2 && other.left < item.rect.right + 2 &&
              top < other.bottom + 2 && other.top < bottom + 2;
            if (overlaps) {
              shift = other.bottom + 3 - item.rect.top;
              moved = true;
            }
          }
        }
        item.label.style.marginTop = shift + "px";
        placed.push({
          left: item.rect.left,
          right: item.rect.right,
          top: item.rect.top + shift,
          bottom: item.rect.bottom + shift,
        });
      });
  }

  Promise.all([load(element.dataset.communesUrl), load(element.dataset.departementUrl)])
    .then(function (layers) {
      var communes = L.geoJSON(layers[0], {
        style: function (feature) {
          return {
            color: "#4a5560",
            weight: 1,
            fillColor: fillFor(counts[feature.properties.code]),
            fillOpacity: 0.8,
          };
        },
        onEachFeature: function (feature, layer) {
          var commune = counts[feature.properties.code];
          if (commune) {
            layer.bindTooltip(escapeHtml(commune.name + " : " + commune.text), {
              permanent: true,
              direction: "center",
              className: "commune-count",
            });
          }
        },
      }).addTo(map);
      L.geoJSON(layers[1], {
        style: { color: "#1f2a33", weight: 2.5, fill: false },
        interactive: false,
      }).addTo(map);
      map.fitBounds(communes.getBounds());
      separateLabels();
      map.on("zoomend", separateLabels);
      (data.centres || []).forEach(function (centre) {
        if (centre.lat === null || centre.lon === null) {
          return;
        }
        var label = centre.name + " — " + centre.stage;
        var icon = L.divIcon({
          className: "map-marker-icon",
          html: '<span class="map-marker ' + escapeHtml(centre.css) + '">' +
            escapeHtml(centre.group_code) + "</span>",
          iconSize: [22, 22],
        });
        L.marker([centre.lat, centre.lon], { icon: icon, title: label, keyboard: true })
          .bindPopup(
            "<strong>" + escapeHtml(centre.name) + "</strong><br>" +
              escapeHtml(centre.commune) + "<br>" + escapeHtml(centre.stage) +
              (centre.case_number ? "<br>" + escapeHtml(centre.case_number) : "")
          )
          .addTo(map);
      });
      element.setAttribute("data-ready", "1");
    })
    .catch(function (error) {
      element.setAttribute("data-error", String(error));
    });
})();
