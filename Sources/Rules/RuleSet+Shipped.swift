/// The shipped default rules: the exact text of `Config/rules.yaml` (a test keeps them equal).
extension RuleSet {
    /// The text of the shipped rules file.
    public static let shippedText = #"""
        # Anxin shipped alert rules (SPEC section 6). `anxin check` validates this file.
        #
        # Copy it, edit it and name the copy in the config (`rules: /etc/anxin/rules.yaml`); SIGHUP reloads it.
        # A bad file keeps the running rules and every problem is printed as path:line: message.
        # Unknown keys are errors.
        #
        # Durations are written with a unit: 30s, 2m, 1h, 1h30m, 1d.
        # "for" durations are judged on the readings' own measured times: a run of consecutive
        # qualifying readings whose first and latest are at least that far apart, with no gap between
        # readings longer than max_gap. A single reading never satisfies a duration; a reading that
        # does not qualify ends the run. Timers that wait for something NOT to happen (silence, not back
        # in bed, not acknowledged) run on the wall clock.
        #
        # Every rule has:
        #   type:            event | threshold | silence | outage | bed_exit | geofence (see each below)
        #   severity:        critical | urgent | warning | info
        #   route:           staff   -- staff only
        #                    hotline -- the 12349 hotline at once, and staff
        #   escalate_after:  optional, route staff only: sent to the hotline if staff have not
        #                    acknowledged the alert this long (wall clock) after it opened; a hotline
        #                    step of the rule's escalation chain (see escalation at the end)
        #   suppresses:      optional, names (or a list) of lower tiers of the same subject: while this
        #                    rule's alert is unresolved, those rules neither open nor update
        #
        # At most one unresolved alert exists per subject and rule: a new breach updates it; once it
        # is resolved (by staff, or automatically past its clear limit) the next breach opens a new one.
        # The subject is the resident, or "device:<id>" for a device bound to nobody; rules with
        # `per: device` always belong to the device.

        # Longest gap between two readings that still counts as consecutive (default 5m).
        max_gap: 5m

        rules:
          # --- event rules -------------------------------------------------------------------------
          #   events:      device events that fire it: sos, fall, bed_exit, not_worn, low_battery, power_off
          #   cleared_by:  staff (default) | vital_sign (a vital sign reading after the event)
          #                | data (any other observation from the device after the event)
          #   per:         resident (default) | device
          sos:
            type: event
            events: [sos]
            cleared_by: staff
            severity: critical
            route: hotline

          fall:
            type: event
            events: [fall]
            cleared_by: staff
            severity: critical
            route: hotline

          not_worn:
            type: event
            events: [not_worn]
            cleared_by: vital_sign
            per: device
            severity: info
            route: staff

          power_off:
            type: event
            events: [power_off]
            cleared_by: data
            per: device
            severity: warning
            route: staff
            suppresses: [device_silent]     # a switched-off watch is not also reported silent

          # --- threshold rules ---------------------------------------------------------------------
          #   fires:   reading kind -> limit ">= x" | "> x" | "<= x" | "< x"; fires when ANY listed
          #            measure (its latest value within max_gap) meets its limit
          #   clears:  the same kinds -> limits pointing the other way; resolves when ALL recent values
          #            meet them (hysteresis: between the two limits nothing changes)
          #   for:     optional duration the breach must last (default: one reading suffices)
          #   events:  optional device events that fire it at once (low_battery)
          #   per:     resident (default) | device
          # Residents' `thresholds` override a fire limit by key "<rule>" (single-measure rules) or
          # "<rule>.<kind>" (bp_high.systolic). An override on the clear side of its rule's clear
          # limit (heart_rate_high below 120, spo2_low at 94 or more) is an error in `anxin check`
          # and is ignored by the engine.
          heart_rate_high:
            type: threshold
            fires: {heart_rate: ">= 131"}
            clears: {heart_rate: "< 120"}
            for: 2m
            severity: urgent
            route: staff
            escalate_after: 5m

          heart_rate_low:
            type: threshold
            fires: {heart_rate: "<= 40"}
            clears: {heart_rate: "> 45"}
            for: 2m
            severity: urgent
            route: staff
            escalate_after: 5m

          bp_crisis:
            type: threshold
            fires: {systolic: ">= 220", diastolic: ">= 120"}
            clears: {systolic: "< 180", diastolic: "< 110"}
            severity: critical
            route: hotline
            suppresses: [bp_high]

          bp_high:
            type: threshold
            fires: {systolic: ">= 180", diastolic: ">= 110"}
            clears: {systolic: "< 160", diastolic: "< 100"}
            severity: urgent
            route: staff

          bp_low:
            type: threshold
            fires: {systolic: "<= 90"}
            clears: {systolic: "> 100"}
            severity: urgent
            route: staff

          spo2_critical:
            type: threshold
            fires: {spo2: "<= 85"}
            clears: {spo2: ">= 90"}
            for: 1m
            severity: critical
            route: hotline
            suppresses: [spo2_low]

          spo2_low:
            type: threshold
            fires: {spo2: "<= 91"}
            clears: {spo2: ">= 94"}
            for: 1m
            severity: urgent
            route: staff

          low_battery:
            type: threshold
            fires: {battery: "<= 15"}
            clears: {battery: ">= 20"}
            events: [low_battery]
            per: device
            severity: info
            route: staff

          # --- silence (at most one; always per device) --------------------------------------------
          #   after:         connected time without data before the device counts as silent
          #   heard_within:  only devices heard this recently (wall clock) are watched
          # Clears when the device sends data again. Time the gateway was not connected to the broker
          # does not count.
          device_silent:
            type: silence
            after: 30m
            heard_within: 24h
            severity: warning
            route: staff

          # --- outage (at most one; needs the silence rule) ----------------------------------------
          #   share:         when MORE than this fraction of the devices heard within heard_within
          #                  fall silent together, one alert stands for all of them (no device_silent each)
          #   heard_within:  the devices counted as the whole
          #   together:      devices whose silence began within this of each other count together (default 5m)
          #   min_devices:   fewer silent devices than this are never an outage (default 3)
          # Resolves when the devices still silent no longer make an outage; those left are then
          # reported as device_silent one by one.
          ingest_outage:
            type: outage
            share: 0.2
            heard_within: 1h
            together: 5m
            min_devices: 3
            severity: warning
            route: staff

          # --- bed exit at night --------------------------------------------------------------------
          #   night:  local time window "HH:MM-HH:MM" (may wrap midnight; the zone is the config's timezone)
          #   grace:  wall-clock time out of bed before the alert
          # Out of bed = an in_bed reading of 0 or a bed_exit event measured in the window. Resolves
          # when an in_bed reading of 1 arrives.
          bed_exit_night:
            type: bed_exit
            night: "22:00-06:00"
            grace: 15m
            severity: urgent
            route: staff

          # --- geofence -----------------------------------------------------------------------------
          #   for:  how long fixes must stay outside the resident's home_zone (haversine distance
          #         from its centre greater than radius_m). Resolves on the first fix back inside.
          geofence_exit:
            type: geofence
            for: 2m
            severity: urgent
            route: staff
            escalate_after: 10m

        # --- escalation -------------------------------------------------------------------------------
        # Who is told of an alert, and when, until staff acknowledge it. A chain is a list of steps:
        #   after:   wall-clock time after the alert opened (0s: at once, on the engine's next tick)
        #   notify:  a list of targets: oncall   -- the built-in on-call group
        #                               hotline  -- the 12349 hotline incident (sent once per alert)
        #                               <group>  -- a group of the gateway config's notify.groups
        #                                           (lowercase letters, digits, '_' and '-')
        #   repeat:  optional, at least 30s: remind the step's targets (never the hotline) this often
        #            until the alert is acknowledged or the next step fires
        # Steps are listed in time order (after never decreases). Acknowledging or resolving an alert
        # cancels every step and reminder still to come; an alert opened under a silence gets none (sos
        # and fall are never silenced). A route: hotline rule reaches the hotline when it opens; its chain
        # tells staff. A rule's escalate_after: N adds {after: N, notify: [hotline]} to its chain at its
        # place in time, unless the chain already has a hotline step.
        escalation:
          # Chain per severity, for every rule without a chain of its own. A severity left out runs the
          # chain shown here; write "warning: []" to notify nobody.
          severity:
            critical: [{after: 0s, notify: [oncall], repeat: 2m}]
            urgent: [{after: 0s, notify: [oncall], repeat: 5m}]
            warning: [{after: 0s, notify: [oncall]}]
            info: []
          # Chains per rule replace the severity's chain. For example, a supervisor group after 10 min
          # and the hotline after 15 min (escalate_after then adds nothing: the chain has a hotline step):
          #   geofence_exit:
          #     - {after: 0s, notify: [oncall], repeat: 5m}
          #     - {after: 10m, notify: [supervisor], repeat: 5m}
          #     - {after: 15m, notify: [hotline]}
          rules: {}
        """#

    /// The shipped rules, compiled (used when the config names no rules file).
    public static let shipped: RuleSet = {
        do {
            return try RuleSet.load(text: shippedText, path: "<shipped rules.yaml>")
        } catch {
            preconditionFailure("the shipped rules do not compile: \(error)")
        }
    }()
}
