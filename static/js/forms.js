// Form helpers of every page (loaded by base.html after Tom Select, which comes from the npm package through staticfiles):
//  1. every select[data-lookup-url] becomes a type-ahead (Tom Select) over the pickers' JSON {"results": [{id, name, code}]}
//     (the option's value: the id, or the code with data-lookup-value="code");
//  2. a customer select with data-parties-url reloads the form's select[data-party] (contacts, addresses, invoice titles);
//  3. line tables (table[data-lines]): add a row from template[data-line-template], fill a chosen product's price, and
//     preview line amounts, tax and totals in exact integer arithmetic on cents (the server computes the saved amounts);
//  4. list tables (table.table-cards) label their cells for the card layout of small screens (static/css/app.css).
(function () {
  "use strict";

  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var TEXT = english
    ? { noResults: "No matches", loading: "Searching…" }
    : { noResults: "没有匹配的结果", loading: "正在查找…" };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function withParams(url, params) {
    var query = Object.keys(params)
      .filter(function (k) { return params[k] !== undefined && params[k] !== null && params[k] !== ""; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); })
      .join("&");
    return query ? url + (url.indexOf("?") < 0 ? "?" : "&") + query : url;
  }

  // --- 1. type-ahead pickers -----------------------------------------------------------------------------------------
  function enhancePickers(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select[data-lookup-url]").forEach(function (select) {
      if (select.tomselect) return;
      var url = select.getAttribute("data-lookup-url");
      var byCode = select.getAttribute("data-lookup-value") === "code";
      var found = {}; // query -> {value: true}: the options the server gave for it
      new TomSelect(select, {
        valueField: "value",
        labelField: "text",
        searchField: ["text"],
        // the server matched (name, short name, code): a typed query lists what the server gave for it, not every
        // option loaded before (the 20 shown on focus would crowd out the matches: maxOptions)
        score: function (search) {
          var hits = found[search];
          return function (item) { return !search || (hits && hits[item.value]) ? 1 : 0; };
        },
        maxOptions: 20,
        loadThrottle: 250,
        preload: "focus",
        allowEmptyOption: true,
        dropdownParent: "body",
        load: function (query, callback) {
          getJSON(withParams(url, { q: query }))
            .then(function (data) {
              var options = data.results.map(function (r) {
                // data-lookup-value="code": the form takes the code (the price list's add form), else the id
                return { value: byCode ? r.code : String(r.id), text: r.code ? r.code + " " + r.name : r.name };
              });
              found[query] = {};
              options.forEach(function (o) { found[query][o.value] = true; });
              callback(options);
            })
            .catch(function () { callback(); });
        },
        render: {
          no_results: function () { return '<div class="no-results">' + TEXT.noResults + "</div>"; },
          loading: function () { return '<div class="spinner-border spinner-border-sm m-2" role="status" aria-label="' + TEXT.loading + '"></div>'; },
        },
      });
    });
  }

  // --- 2. selects that follow the chosen customer --------------------------------------------------------------------
  function refill(select, items) {
    var empty = select.querySelector('option[value=""]');
    var emptyText = empty ? empty.textContent : "---------";
    select.innerHTML = "";
    select.add(new Option(emptyText, ""));
    items.forEach(function (item, index) {
      select.add(new Option(item.label, String(item.id), index === 0, index === 0)); // the primary / default one first
    });
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function followCustomer(customerSelect) {
    var form = customerSelect.form;
    var targets = form ? form.querySelectorAll("select[data-party]") : [];
    if (!targets.length) return;
    if (!customerSelect.value) {
      targets.forEach(function (t) { refill(t, []); });
      return;
    }
    getJSON(withParams(customerSelect.getAttribute("data-parties-url"), { customer: customerSelect.value }))
      .then(function (data) { targets.forEach(function (t) { refill(t, data[t.getAttribute("data-party")] || []); }); })
      .catch(function () { targets.forEach(function (t) { refill(t, []); }); });
  }

  // --- 3. line tables ------------------------------------------------------------------------------------------------
  // A typed decimal as an integer count of 10^-places units (BigInt), or null when it is not a plain number of that many
  // decimals: no float ever touches an amount.
  function scaled(text, places) {
    var value = (text || "").trim();
    if (!/^\d+(\.\d+)?$/.test(value)) return null;
    var parts = value.split(".");
    var fraction = parts[1] || "";
    if (fraction.length > places) return null;
    return BigInt(parts[0] + fraction.padEnd(places, "0"));
  }

  function roundDiv(numerator, denominator) { // half up, both positive (as the server's ROUND_HALF_UP)
    return (numerator * 2n + denominator) / (denominator * 2n);
  }

  function money(cents) {
    var whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return whole + "." + (cents % 100n).toString().padStart(2, "0");
  }

  // A rate as the percent typed on the page: "0.1300" -> "13", "0.0650" -> "6.5" (exact, no float).
  function percentOf(rate) {
    var n = scaled(rate, 4);
    if (n === null) return "";
    var text = (n / 100n).toString() + "." + (n % 100n).toString().padStart(2, "0");
    return text.replace(/\.?0+$/, "");
  }

  function field(row, name) { return row.querySelector('[name$="-' + name + '"]'); }

  // Amounts of one row in cents {incl, excl}, null when the row is incomplete or a number is malformed: as
  // core.money.line_amounts — incl = qty × price × (1 − discount), excl = incl / (1 + tax rate), both to the fen.
  function rowAmounts(row, defaultTax) {
    var price = field(row, "unit_price");
    var discount = field(row, "discount_percent");
    var tax = field(row, "tax_percent");
    var q = scaled(field(row, "quantity") && field(row, "quantity").value, 3);
    var p = scaled(price && (price.value || price.placeholder), 2);
    var d = discount && discount.value ? scaled(discount.value, 2) : 0n; // percent, 2 decimals: 10000 = 100 %
    // the tax rate to 4 decimals (1300 = 13 %): a percent typed to 2 decimals has the same scale
    var t = tax && tax.value ? scaled(tax.value, 2) : scaled(row.getAttribute("data-tax-rate") || defaultTax, 4);
    if (q === null || p === null || d === null || t === null || d > 10000n) return null;
    var incl = roundDiv(q * p * (10000n - d), 10000000n);
    var excl = roundDiv(incl * 10000n, 10000n + t);
    return { incl: incl, excl: excl };
  }

  function preview(table) {
    var form = table.closest("form");
    var totals = form.querySelector("[data-line-totals]");
    var incl = 0n, excl = 0n, complete = true;
    form.querySelectorAll("[data-line-rows] tr[data-line]").forEach(function (row) {
      var cell = row.querySelector("[data-line-amount]");
      var removed = field(row, "DELETE");
      var amounts = rowAmounts(row, table.getAttribute("data-default-tax") || "0.13");
      if (cell) cell.textContent = amounts ? money(amounts.incl) : "—";
      if (removed && removed.checked) return;
      if (amounts) {
        incl += amounts.incl;
        excl += amounts.excl;
      } else if (field(row, "product") && field(row, "product").value) {
        complete = false;
      }
    });
    if (!totals) return;
    var shown = { incl: incl, excl: excl, tax: incl - excl };
    totals.querySelectorAll("[data-total]").forEach(function (el) {
      el.textContent = complete ? money(shown[el.getAttribute("data-total")]) : "—";
    });
  }

  function customerOf(table) {
    var select = table.closest("form").querySelector('select[name="customer"]');
    return select ? select.value : table.getAttribute("data-customer");
  }

  // The value of the form's header field `name` ("" when the form has none).
  function headerValue(table, name) {
    var input = table.closest("form").querySelector('[name="' + name + '"]');
    return input ? input.value : "";
  }

  // The chosen product's price for this customer, quantity (a price list's 起订量) and the document's currency and
  // exchange rate (its placeholder: a blank price is the price list's) and tax rate; `fill` also puts the price in the
  // input, `newProduct` the product's tax rate (the user chose the product just now; another quantity, customer or
  // date never changes a tax rate the user typed).
  function loadPrice(table, row, fill, newProduct) {
    var product = field(row, "product");
    var price = field(row, "unit_price");
    var tax = field(row, "tax_percent");
    var quantity = field(row, "quantity");
    if (!product || !product.value || !table.getAttribute("data-price-url")) return Promise.resolve();
    var url = withParams(table.getAttribute("data-price-url"), {
      product: product.value,
      customer: customerOf(table),
      date: table.getAttribute("data-price-date") ? headerValue(table, table.getAttribute("data-price-date")) : "",
      quantity: quantity ? quantity.value : "",
      currency: headerValue(table, "currency"),
      exchange_rate: headerValue(table, "exchange_rate"),
    });
    var typed = price ? price.value : "";  // a price or tax rate typed while the answer is on its way is kept
    var typedTax = tax ? tax.value : "";
    return getJSON(url).then(function (data) {
      row.setAttribute("data-tax-rate", data.tax_rate);
      if (price) {
        price.placeholder = data.unit_price;
        if (fill && price.value === typed) price.value = data.unit_price;
      }
      if (tax && (!tax.value || (newProduct && tax.value === typedTax))) tax.value = percentOf(data.tax_rate);
      preview(table);
    }).catch(function () { preview(table); });
  }

  function setUpLines(table) {
    var form = table.closest("form");
    form.querySelectorAll("[data-line-rows] tr[data-line]").forEach(function (row) { loadPrice(table, row, false); });
    form.addEventListener("input", function (e) {
      if (e.target.closest("tr[data-line]")) preview(table);
    });
    form.addEventListener("change", function (e) {
      var row = e.target.closest("tr[data-line]");
      if (row && /-product$/.test(e.target.name || "")) loadPrice(table, row, true, true);
      else if (row && /-quantity$/.test(e.target.name || "")) {
        // another quantity may reach another price list row (起订量): refresh a price the page filled in, keep a typed one
        var own = field(row, "unit_price");
        loadPrice(table, row, !!own && own.value === own.placeholder);
      } else if (row) preview(table);
      else if (["customer", "currency", "exchange_rate", table.getAttribute("data-price-date")].indexOf(e.target.name) >= 0) {
        // another customer, date, currency or rate may have another price: refresh the prices the page filled in, keep
        // typed ones
        form.querySelectorAll("[data-line-rows] tr[data-line]").forEach(function (line) {
          var price = field(line, "unit_price");
          loadPrice(table, line, !!price && price.value === price.placeholder);
        });
      }
    });
    var add = form.querySelector("[data-add-line]");
    if (add) {
      add.addEventListener("click", function () {
        var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
        var html = form.querySelector("template[data-line-template]").innerHTML.replace(/__prefix__/g, total.value);
        var rows = form.querySelector("[data-line-rows]");
        rows.insertAdjacentHTML("beforeend", html);
        total.value = parseInt(total.value, 10) + 1;
        enhancePickers(rows.lastElementChild);
      });
    }
    preview(table);
  }

  // --- 4. lists as cards on phones: each cell of a table.table-cards without a data-label takes its column's header ---
  function labelCards(root) {
    root.querySelectorAll("table.table-cards").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody > tr").forEach(function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (!td.hasAttribute("data-label") && !td.hasAttribute("colspan") && heads[column]) td.setAttribute("data-label", heads[column]);
          column += td.colSpan || 1;
        });
      });
    });
  }

  function init(root) {
    labelCards(root);
    enhancePickers(root);
    root.querySelectorAll("table[data-lines]").forEach(setUpLines);
  }

  document.addEventListener("change", function (e) {
    if (!e.target.matches) return;
    if (e.target.matches("select[data-parties-url]")) followCustomer(e.target);
    if (e.target.matches("select[data-submit-on-change]") && e.target.value) e.target.form.submit();
  });
  document.addEventListener("htmx:load", function (e) {
    labelCards(e.detail.elt.parentNode || e.detail.elt);
    enhancePickers(e.detail.elt);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
