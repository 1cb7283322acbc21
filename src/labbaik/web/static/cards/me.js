// The pilgrim's card page stays readable without a network once it has been opened.

import { keepOffline } from "./offline.js";

keepOffline(document.getElementById("my-card"));
