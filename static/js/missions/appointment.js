/* Tempo — the appointment mission: the slot picker lives in booking.js (loaded before play.js). */
import { rich } from "../dom.js";

export default {
  key: "appointment", icon: "📅", label: "Rendez-vous",
  render: (m, p) => (window.TempoBooking ? window.TempoBooking.render(m, p) : rich(p, "instructions")),
};
